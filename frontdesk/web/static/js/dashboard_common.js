// What the dashboard's modules share (dashboard.js, desk.js, desk_view.js): the page's
// element maker, UK times, small formatting, and how the supervisor is told what happened.
// Needs dom.js loaded first (as window.frontdeskDom).

export const { el } = window.frontdeskDom;

export const NOT_CONNECTED = "Not connected: try again once the dashboard has reconnected.";
export const ukTime = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", hour: "2-digit", minute: "2-digit",
});
const ukDateTime = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", day: "2-digit", month: "2-digit", year: "numeric",
  hour: "2-digit", minute: "2-digit",
});

// Formatting ---------------------------------------------------------------------------

export function minutesSeconds(seconds) {
  const whole = Math.max(0, Math.round(Number(seconds) || 0));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

export function timeOfDay(iso) {
  return el("time", { datetime: iso, title: `${ukDateTime.format(new Date(iso))} (UK time)` },
    ukTime.format(new Date(iso)));
}

export const caseUrl = (number) => `/agent/cases/${encodeURIComponent(number)}`;
export const hidden = (text) => el("span", { class: "visually-hidden" }, text);
export const problem = (ack) => ack.error?.message || "Something went wrong; please try again.";

// Set a text only when it changed: nothing redrawn, nothing read out again.
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

// What the supervisor did, and how it went: said politely, and shown -------------------

// `announce(text)`, said through `announcer` (the page's polite live region).
export function announcerFor(announcer) {
  return function announce(text) {
    // Emptied first, so the same words twice are read twice.
    announcer.textContent = "";
    clearTimeout(announcer.timer);
    announcer.timer = setTimeout(() => { announcer.textContent = text; }, 50);
  };
}

// An error beside the control it is about, and tied to it for screen readers.
export function showError(control, box, text) {
  box.textContent = text;
  box.hidden = false;
  control.setAttribute("aria-describedby", [control.dataset.describedby, box.id].filter(Boolean).join(" "));
  if (control.matches("input, select")) control.setAttribute("aria-invalid", "true");
}

export function clearError(control, box) {
  box.textContent = "";
  box.hidden = true;
  if (control.dataset.describedby) control.setAttribute("aria-describedby", control.dataset.describedby);
  else control.removeAttribute("aria-describedby");
  control.removeAttribute("aria-invalid");
}
