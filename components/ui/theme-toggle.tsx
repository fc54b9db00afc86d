"use client";

import { useEffect, useState } from "react";
import { THEMES, THEME_COOKIE, parseTheme, themeClass, type Theme } from "@/lib/ui/theme";

const LABELS: Record<Theme, string> = { system: "System theme", light: "Light theme", dark: "Dark theme" };
const ONE_YEAR_S = 365 * 24 * 60 * 60;

/** Light / dark / system, kept per device in a cookie and applied at once. */
export function ThemeToggle({ className = "" }: { className?: string }) {
  const [theme, setTheme] = useState<Theme>("system");
  // The server rendered <html> with the cookie's theme; show that choice once hydrated.
  useEffect(() => setTheme(parseTheme(document.documentElement.dataset.theme)), []);

  function choose(next: Theme) {
    setTheme(next);
    const root = document.documentElement;
    for (const t of THEMES) root.classList.remove(themeClass(t));
    root.classList.add(themeClass(next));
    root.dataset.theme = next;
    document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=${ONE_YEAR_S}; samesite=lax`;
  }

  return (
    <select
      aria-label="Colour theme"
      data-testid="theme-toggle"
      value={theme}
      onChange={(event) => choose(parseTheme(event.target.value))}
      className={`h-8 rounded-md border border-white/50 bg-teal-950 px-1 text-sm text-white ${className}`}
    >
      {THEMES.map((t) => (
        <option key={t} value={t}>
          {LABELS[t]}
        </option>
      ))}
    </select>
  );
}
