// Progressive enhancement for account forms; every form works without this script.
"use strict";

// Show / hide a password field.
document.querySelectorAll(".show-password").forEach((button) => {
  button.addEventListener("click", () => {
    const input = document.getElementById(button.dataset.target);
    const showing = input.type === "text";
    input.type = showing ? "password" : "text";
    button.textContent = showing ? "Show" : "Hide";
    button.setAttribute("aria-pressed", String(!showing));
  });
});

// Registration: "same as email" fills the username; public email domains get a warning.
const register = document.getElementById("register-form");
if (register) {
  const email = register.querySelector("#email");
  const username = register.querySelector("#username");
  const same = register.querySelector("#same_as_email");
  const warning = register.querySelector("#email-warning");
  const publicDomains = new Set(register.dataset.publicDomains.split(","));

  const syncUsername = () => {
    if (same.checked) username.value = email.value;
    username.readOnly = same.checked;
  };
  const warnPublic = () => {
    const domain = email.value.split("@")[1]?.trim().toLowerCase();
    const isPublic = Boolean(domain) && publicDomains.has(domain);
    warning.hidden = !isPublic;
    warning.textContent = isPublic
      ? "This looks like a public email address. If you are contacting us for your school, " +
        "college or centre, please use its email address where you can."
      : "";
  };
  email.addEventListener("input", syncUsername);
  email.addEventListener("change", warnPublic);
  email.addEventListener("blur", warnPublic);
  same.addEventListener("change", syncUsername);
  syncUsername();
  warnPublic();
}

// Move focus to the error summary so screen readers and keyboards land on it.
document.getElementById("error-summary")?.focus();
