// The colour theme a user chose on this device: a cookie, so the server renders the right class on
// <html> before any script runs. "system" follows the operating system's setting.
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_COOKIE = "theme";

export function parseTheme(value: string | undefined | null): Theme {
  return (THEMES as readonly string[]).includes(value ?? "") ? (value as Theme) : "system";
}

/** The class on <html> for a theme (see app/globals.css). */
export function themeClass(theme: Theme): string {
  return theme === "system" ? "theme-system" : theme;
}
