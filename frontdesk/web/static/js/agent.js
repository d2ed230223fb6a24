// The agent's case page, enhanced: the reason is marked required for Waiting on Customer, and the
// focus lands on a form's error. Every form here also works without this script.
"use strict";

(() => {
  const WAITING = "waiting_on_customer";
  const form = document.querySelector(".status-form");
  if (form) {
    const status = form.elements.status;
    const reason = form.elements.reason;
    const field = reason.closest(".field");
    let marker = field.querySelector("label .required");
    if (!marker) {
      // The label's asterisk, shown while the reason is needed.
      marker = document.createElement("span");
      marker.className = "required";
      marker.setAttribute("aria-hidden", "true");
      marker.textContent = " *";
      field.querySelector("label").append(marker);
    }
    const sync = () => {
      const waiting = status.value === WAITING;
      reason.required = waiting;
      reason.setAttribute("aria-required", String(waiting));
      marker.hidden = !waiting;
    };
    status.addEventListener("change", sync);
    sync();
  }

  document.getElementById("error-summary")?.focus();
})();
