"use client";

import { useEffect, useState } from "react";

/** The visual viewport shrank this much below the tallest it has been: an on-screen keyboard is up. */
const KEYBOARD_MIN_PX = 150;

/**
 * Whether the on-screen keyboard covers part of the screen, from `visualViewport` (the layout viewport
 * does not shrink for it on every phone). Also keeps `--app-height` on the document at the visible
 * height, so the field app sizes itself to what the driver can actually see.
 */
export function useKeyboardOpen(): boolean {
  const [isOpen, setIsOpen] = useState(false);
  useEffect(() => {
    const viewport = window.visualViewport;
    if (!viewport) return;
    let tallest = viewport.height;
    let width = viewport.width;
    const update = () => {
      // A rotation changes the width: measure the keyboard against the new orientation.
      if (viewport.width !== width) {
        width = viewport.width;
        tallest = viewport.height;
      }
      tallest = Math.max(tallest, viewport.height);
      document.documentElement.style.setProperty("--app-height", `${Math.round(viewport.height)}px`);
      setIsOpen(tallest - viewport.height >= KEYBOARD_MIN_PX);
    };
    update();
    viewport.addEventListener("resize", update);
    return () => {
      viewport.removeEventListener("resize", update);
      document.documentElement.style.removeProperty("--app-height");
    };
  }, []);
  return isOpen;
}
