// Small enhancements; everything works without them. No inline scripts (CSP).
// German texts come from the page (templates), not from here.
"use strict";

const USUAL_PORTS = { ssl: "465", tls: "587" };

// --- Answers: every action answers where it was taken -------------------------------------
// The server marks an answer with data-answer (tabindex="-1"). After a swap that a person
// caused, focus moves to the new answer and the announcer reads it out. A running answer is
// replaced by its result through polling: focus follows when it was still on the answer.

function announce(text) {
  const announcer = document.getElementById("announcer");
  if (!announcer) return;
  announcer.textContent = "";
  // a fresh text node, a moment later: screen readers announce a change, not a re-render
  setTimeout(() => { announcer.textContent = text.replace(/\s+/g, " ").trim().slice(0, 600); }, 50);
}

function answerText(answer) {
  return answer.innerText || answer.textContent || "";
}

let personAsked = false;
const PERSON_EVENTS = new Set(["submit", "click", "keydown", "keyup", "change"]);

function markSeen(root) {
  root.querySelectorAll("[data-answer]").forEach((a) => { a.dataset.seen = "1"; });
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
  if (trigger && PERSON_EVENTS.has(trigger.type)) personAsked = true;
  clearRequestError(event.detail.elt);
});

document.addEventListener("htmx:afterSettle", () => {
  const fresh = Array.from(document.querySelectorAll("[data-answer]:not([data-seen])"));
  if (!fresh.length) return;
  markSeen(document);
  const active = document.activeElement;
  // focus on a fresh answer means it was on the answer it replaces (htmx keeps focus by id)
  const focusLost = !active || active === document.body || !active.isConnected
    || fresh.some((answer) => answer.contains(active));
  const asked = personAsked;
  personAsked = false;
  if (!asked && !focusLost) {
    return; // an automatic refresh while the person works elsewhere: do not take the focus
  }
  const answer = fresh[fresh.length - 1];
  announce(answerText(answer));
  // a field the server refused comes first: that is where the person has to go next
  const form = answer.closest("form");
  const invalid = form && form.querySelector('[aria-invalid="true"]');
  const target = invalid || answer;
  target.focus({ preventScroll: true });
  answer.scrollIntoView({ block: "nearest" });
  if (invalid) (invalid.closest("label, fieldset") || invalid).scrollIntoView({ block: "center" });
});

document.addEventListener("DOMContentLoaded", () => markSeen(document));

// --- Failed requests: a German message in place, never silence -----------------------------

function requestErrorText(status, reason) {
  const messages = document.getElementById("request-errors");
  if (!messages) return "";
  let key = "network";
  if (status >= 500) key = "500";
  else if (status) key = String(status);
  const found = (reason && messages.content.querySelector(`[data-status="${key}-${reason}"]`))
    || messages.content.querySelector(`[data-status="${key}"]`)
    || messages.content.querySelector(status >= 400 && status < 500 ? '[data-status="400"]' : '[data-status="500"]');
  return found ? found.textContent.trim() : "";
}

function clearRequestError(elt) {
  const place = errorPlace(elt);
  if (place && place.nextElementSibling && place.nextElementSibling.matches(".request-error")) {
    place.nextElementSibling.remove();
  }
}

function errorPlace(elt) {
  // next to the button that was pressed, or next to the element that asked
  if (!elt) return null;
  if (elt.tagName === "FORM") {
    const submitter = elt.querySelector('button[type="submit"]:not([formaction]), button:not([type])');
    return submitter || elt.lastElementChild || elt;
  }
  return elt;
}

function showRequestError(event, status) {
  const place = errorPlace(event.detail.elt);
  if (!place || !place.isConnected) return;
  // A background poll (data-background) says a failure once, next to itself, and never takes
  // the focus or the answer that belongs to a person's click.
  const background = event.detail.elt.hasAttribute("data-background");
  if (background && place.nextElementSibling && place.nextElementSibling.matches(".request-error")) return;
  clearRequestError(event.detail.elt);
  const message = document.createElement("p");
  message.className = "error request-error";
  message.setAttribute("role", "alert");
  message.tabIndex = -1;
  const xhr = event.detail.xhr;
  message.textContent = requestErrorText(status, xhr && status ? xhr.getResponseHeader("X-Reason") : null);
  place.insertAdjacentElement("afterend", message);
  if (event.detail.elt.getAttribute("aria-busy") === "true") {
    event.detail.elt.removeAttribute("aria-busy"); // a poll that failed is not running anymore
  }
  const active = document.activeElement;
  if (background) {
    announce(message.textContent);
    return;
  }
  if (personAsked || !active || active === document.body || active === event.detail.elt) {
    message.focus({ preventScroll: true });
    message.scrollIntoView({ block: "nearest" });
  }
  personAsked = false;
  announce(message.textContent);
}

document.addEventListener("htmx:responseError", (event) => {
  showRequestError(event, event.detail.xhr ? event.detail.xhr.status : 0);
});
document.addEventListener("htmx:sendError", (event) => showRequestError(event, 0));
document.addEventListener("htmx:timeout", (event) => showRequestError(event, 0));

// --- Keep what was typed: a password is never sent back by the server ---------------------

let keptValues = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  keptValues = {};
  document.querySelectorAll("input[data-keep]").forEach((input) => {
    if (input.id && input.value) keptValues[input.id] = input.value;
  });
});
document.addEventListener("htmx:afterSwap", () => {
  if (!keptValues) return;
  Object.entries(keptValues).forEach(([id, value]) => {
    const input = document.getElementById(id);
    if (input && !input.value) input.value = value;
  });
  keptValues = null;
});

// --- Enter triggers the main action of the part of the form the field is in ----------------

document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.isComposing) return;
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || ["checkbox", "radio", "button", "submit"].includes(field.type)) return;
  const scope = field.closest("[data-enter]");
  if (!scope) return;
  const button = scope.querySelector(scope.dataset.enter) || document.querySelector(scope.dataset.enter);
  if (!button) return;
  event.preventDefault();
  button.click();
});

// --- Copy buttons name what they copy and say "kopiert" ------------------------------------

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  const text = source ? (source.value ?? source.textContent).trim() : button.dataset.copyText;
  navigator.clipboard.writeText(text).then(() => {
    const label = button.querySelector("[data-copy-label]") || button;
    const before = label.textContent;
    label.textContent = "Kopiert ✓";
    announce(`${button.dataset.copyWhat || before} kopiert`);
    setTimeout(() => { label.textContent = before; }, 1500);
  });
});

// --- SMTP form helpers -----------------------------------------------------------------------

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
// "Mein Server braucht keine Anmeldung": user and password are not asked (the server ignores
// them then too), and the page says what happens about PEIQ's sending addresses.
function showLoginFields(root) {
  root.querySelectorAll('input[name="no_login"]').forEach((box) => {
    const form = box.closest("form");
    form.querySelectorAll("[data-login-only]").forEach((part) => {
      part.hidden = box.checked;
      part.querySelectorAll("input").forEach((input) => { input.disabled = box.checked; });
    });
    form.querySelectorAll("[data-no-login-only]").forEach((part) => { part.hidden = !box.checked; });
  });
}
// "Anmeldeverfahren": OAuth 2.0 (Microsoft 365) asks for the app's IDs and client secret
// instead of the password (the server renders the same choice without JavaScript).
function showAuthMethod(root) {
  root.querySelectorAll('input[name="auth_method"]:checked').forEach((radio) => {
    const form = radio.closest("form");
    const oauth = radio.value === "oauth-m365";
    form.querySelectorAll("[data-oauth-only]").forEach((part) => { part.hidden = !oauth; });
    form.querySelectorAll("[data-password-only]").forEach((part) => { part.hidden = oauth; });
  });
}
document.addEventListener("change", (event) => {
  if (event.target.name === "encryption") showPlainConsent(document);
  if (event.target.name === "no_login") showLoginFields(document);
  if (event.target.name === "auth_method") showAuthMethod(document);
});
document.addEventListener("htmx:load", (event) => {
  showPlainConsent(event.target); showLoginFields(event.target); showAuthMethod(event.target);
});
document.addEventListener("DOMContentLoaded", () => {
  showPlainConsent(document); showLoginFields(document); showAuthMethod(document);
});
