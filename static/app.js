// Small enhancements; everything works without them. No inline scripts (CSP).
"use strict";

const USUAL_PORTS = { ssl: "465", tls: "587" };

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  const text = source ? (source.value ?? source.textContent).trim() : button.dataset.copyText;
  navigator.clipboard.writeText(text).then(() => {
    const label = button.textContent;
    button.textContent = "Kopiert ✓";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// Choosing an encryption suggests its usual port, unless the user typed another one.
document.addEventListener("change", (event) => {
  const radio = event.target;
  if (radio.name !== "encryption" || !USUAL_PORTS[radio.value]) return;
  const port = radio.form && radio.form.elements.namedItem("port");
  if (!port) return;
  const usual = Object.values(USUAL_PORTS).concat(["", "25"]);
  if (usual.includes(port.value.trim())) port.value = USUAL_PORTS[radio.value];
});

// "Übernehmen" on a probe result fills port and encryption into the settings form.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fill-port]");
  if (!button) return;
  const form = button.closest("form");
  form.elements.namedItem("port").value = button.dataset.fillPort;
  const radio = form.querySelector(`input[name="encryption"][value="${button.dataset.fillEncryption}"]`);
  if (radio) radio.checked = true;
  showPlainConsent(form);
  button.textContent = "Übernommen ✓";
});

// The consent to send a password unencrypted only matters with "keine" encryption.
function showPlainConsent(root) {
  root.querySelectorAll("[data-plain-only]").forEach((box) => {
    const chosen = box.closest("form").querySelector('input[name="encryption"]:checked');
    const invalid = box.querySelector('[aria-invalid="true"]');
    box.hidden = !invalid && !(chosen && chosen.value === "none");
  });
}
document.addEventListener("change", (event) => {
  if (event.target.name === "encryption") showPlainConsent(document);
});
document.addEventListener("htmx:load", (event) => showPlainConsent(event.target));
document.addEventListener("DOMContentLoaded", () => showPlainConsent(document));
