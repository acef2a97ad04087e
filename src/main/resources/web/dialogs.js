// The console's confirmations: a native <dialog> opened as a modal, answered by the value of the button
// that closed it (Escape and "Annuler" close it with no value), so keyboard and screen readers get the
// browser's own focus trap and announcements.

/** Opens {@code dialog} as a modal; resolves true only when the button with value {@code yes} closed it. */
export function askInDialog(dialog, yes) {
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === yes), { once: true });
  });
}
