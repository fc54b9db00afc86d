// Alert sounds made with WebAudio (no audio files) and browser notifications. Each sound also
// dispatches a `control-sound` window event, so a test (or a visual indicator) can observe it even
// where the browser keeps audio muted.

export type SoundKind = "new-conversation" | "reminder" | "emergency" | "escalated";

const TONES: Record<SoundKind, { frequencies: number[]; durationMs: number; volume: number; type: OscillatorType }> = {
  "new-conversation": { frequencies: [660, 880], durationMs: 160, volume: 0.15, type: "sine" },
  reminder: { frequencies: [520], durationMs: 200, volume: 0.12, type: "sine" },
  emergency: { frequencies: [880, 660, 880], durationMs: 220, volume: 0.35, type: "square" },
  escalated: { frequencies: [1040, 780, 1040, 780], durationMs: 200, volume: 0.7, type: "sawtooth" },
};

let context: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (typeof window === "undefined" || typeof window.AudioContext !== "function") return null;
  context ??= new window.AudioContext();
  return context;
}

/** Browsers start audio suspended until the page gets a gesture; call this from one. */
export function unlockAudio(): void {
  const audio = audioContext();
  if (audio && audio.state === "suspended") audio.resume().catch(() => undefined);
}

export function playSound(kind: SoundKind): void {
  window.dispatchEvent(new CustomEvent("control-sound", { detail: kind }));
  const audio = audioContext();
  if (!audio) return;
  const tone = TONES[kind];
  let at = audio.currentTime;
  for (const frequency of tone.frequencies) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = tone.type;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(tone.volume, at);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + tone.durationMs / 1000);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + tone.durationMs / 1000);
    at += tone.durationMs / 1000 + 0.04;
  }
}

export function canNotify(): boolean {
  return typeof window !== "undefined" && "Notification" in window && Notification.permission === "granted";
}

/** One notification per tag: a later one replaces the earlier, so a backlog shows as one. */
export function notify(title: string, body: string, tag: string, onClick?: () => void): void {
  if (!canNotify()) return;
  try {
    const notification = new Notification(title, { body, tag, requireInteraction: tag.startsWith("emergency") });
    if (onClick) {
      notification.onclick = () => {
        window.focus();
        onClick();
        notification.close();
      };
    }
  } catch {
    // Some browsers only allow notifications from a service worker; the banner and sound remain.
  }
}
