// Contact Us, Qualification Services: the three-step form. It needs JavaScript; the page
// says so without it. The server decides everything (choices, options, the human check);
// this script only asks it and shows the answers.

import { acceptDrops, UploadQueue } from "./uploads.js";

const app = document.getElementById("contact-app");
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const $ = (id) => document.getElementById(id);

const CHOICE_FIELDS = [
  "customer_type", "issue_type", "category", "subcategory", "qualification",
  "qualification_subject",
];
const CONTACT_FIELDS = [
  "first_name", "last_name", "email", "phone", "country", "language", "institution",
];
const MIN_DESCRIPTION = 10; // CaseOpen.description's minimum
const PHONE = /^[0-9+() -]+$/;

const state = { taxonomy: null, humanCheck: null, options: null, case: null, busy: false };

// The API ------------------------------------------------------------------------------

async function callApi(method, url, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRF-Token"] = csrf;
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    return failure(0, "NETWORK", "We could not reach the server. Check your connection and try again.");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok) return { ok: true, status: response.status, data };
  return data?.error
    ? { ok: false, status: response.status, error: data.error }
    : failure(response.status, `HTTP_${response.status}`, "Something went wrong on our side; please try again.");
}

function failure(status, code, message) {
  return { ok: false, status, error: { code, message, fields: {} } };
}

// Fields and their errors --------------------------------------------------------------

function setFieldError(name, message) {
  const error = $(`${name}-error`);
  const input = $(name);
  if (error) {
    error.replaceChildren();
    if (message) {
      const label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = "Error:";
      error.append(label, ` ${message}`);
    }
    error.hidden = !message;
  }
  if (!input || input.tagName === "ALTCHA-WIDGET") return;
  const hint = $(`${name}-hint`);
  const described = [hint ? hint.id : "", message ? `${name}-error` : ""].filter(Boolean);
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function showSummary(container, message, fields) {
  container.replaceChildren();
  const heading = document.createElement("h2");
  heading.textContent = message;
  container.append(heading);
  const names = Object.keys(fields);
  if (names.length) {
    const list = document.createElement("ul");
    for (const name of names) {
      const link = document.createElement("a");
      link.href = `#${name}`;
      link.textContent = fields[name];
      const item = document.createElement("li");
      item.append(link);
      list.append(item);
    }
    container.append(list);
  }
  container.hidden = false;
  container.focus();
}

function fillSlots(container, values) {
  for (const slot of container.querySelectorAll("[data-slot]")) {
    slot.textContent = values[slot.dataset.slot] ?? "";
  }
  for (const link of container.querySelectorAll("[data-slot-href]")) {
    link.href = values[link.dataset.slotHref] ?? link.href;
  }
}

// Steps --------------------------------------------------------------------------------

const steps = { issue: $("step-issue"), contact: $("step-contact"), options: $("step-options") };
const ORDER = Object.keys(steps);

function showStep(name) {
  for (const [key, element] of Object.entries(steps)) element.hidden = key !== name;
  for (const marker of document.querySelectorAll("[data-step-marker]")) {
    const at = ORDER.indexOf(marker.dataset.stepMarker);
    marker.classList.toggle("done", at < ORDER.indexOf(name));
    if (marker.dataset.stepMarker === name) marker.setAttribute("aria-current", "step");
    else marker.removeAttribute("aria-current");
  }
  steps[name].querySelector("h2").focus();
}

for (const button of document.querySelectorAll("[data-back]")) {
  button.addEventListener("click", () => showStep(button.dataset.back));
}

// Step 1: the cascading dropdowns --------------------------------------------------------

const byName = (items, name) => items?.find((item) => item.name === name);

function optionsFor(field, values) {
  const customer = byName(state.taxonomy.customer_types, values.customer_type);
  const issue = byName(customer?.issue_types, values.issue_type);
  const category = byName(issue?.categories, values.category);
  const qualification = byName(state.taxonomy.qualifications, values.qualification);
  switch (field) {
    case "customer_type": return state.taxonomy.customer_types.map((c) => c.name);
    case "issue_type": return customer?.issue_types.map((i) => i.name) ?? [];
    case "category": return issue?.categories.map((c) => c.name) ?? [];
    case "subcategory": return category?.subcategories ?? [];
    case "qualification": return state.taxonomy.qualifications.map((q) => q.name);
    case "qualification_subject": return qualification?.subjects ?? [];
    default: return [];
  }
}

function fillSelect(select, names) {
  const placeholder = new Option(select.dataset.placeholder, "");
  select.replaceChildren(placeholder, ...names.map((name) => new Option(name, name)));
  select.value = "";
  select.disabled = names.length === 0;
}

function choices() {
  return Object.fromEntries(CHOICE_FIELDS.map((name) => [name, $(name).value]));
}

function onChoice(index) {
  const values = choices();
  // Choosing one resets every dropdown after it; the next one offers what fits.
  CHOICE_FIELDS.slice(index + 1).forEach((name, offset) => {
    fillSelect($(name), offset === 0 && values[CHOICE_FIELDS[index]] ? optionsFor(name, values) : []);
    setFieldError(name, "");
  });
  if (values[CHOICE_FIELDS[index]]) setFieldError(CHOICE_FIELDS[index], "");
  updateArticles(choices());
  updateIssueNext();
}

CHOICE_FIELDS.forEach((name, index) => $(name).addEventListener("change", () => onChoice(index)));

const description = $("description");

function descriptionProblem() {
  const length = description.value.trim().length;
  if (length === 0) return "Describe the issue you're experiencing";
  if (length < MIN_DESCRIPTION) return `Please describe the issue in at least ${MIN_DESCRIPTION} characters`;
  return "";
}

function issueComplete() {
  return CHOICE_FIELDS.every((name) => $(name).value) && !descriptionProblem();
}

function updateIssueNext() {
  const complete = issueComplete();
  $("issue-next").disabled = !complete;
  $("issue-next-hint").hidden = complete;
}

description.addEventListener("input", () => {
  if (!descriptionProblem()) setFieldError("description", "");
  updateIssueNext();
});
description.addEventListener("blur", () => {
  if (description.value.trim()) setFieldError("description", descriptionProblem());
});

steps.issue.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!issueComplete()) return;
  $("issue-errors").hidden = true;
  showStep("contact");
});

// "Articles just for you" ----------------------------------------------------------------

const ARTICLES_DEBOUNCE_MS = 250; // choosing several dropdowns quickly asks once
let articlesTicket = 0; // only the newest request's answer is shown

/**
 * Called with the current step-1 choices whenever one changes. Other scripts may listen
 * for "contact:choices" on the panel too.
 */
export async function updateArticles(current) {
  const panel = $("articles-panel");
  panel.dispatchEvent(new CustomEvent("contact:choices", { detail: { choices: current } }));
  const articles = await suggestArticles(current);
  if (articles !== null) renderArticles(articles);
}

/**
 * Suggested articles for these choices: [{title, url, summary, views, updated}], or null
 * when newer choices have been made since (their answer renders instead) or on failure.
 */
export async function suggestArticles(current) {
  const ticket = ++articlesTicket;
  await new Promise((resolve) => setTimeout(resolve, ARTICLES_DEBOUNCE_MS));
  if (ticket !== articlesTicket) return null;
  const query = new URLSearchParams(Object.entries(current).filter(([, value]) => value));
  const answer = await callApi("GET", `/api/v1/kb/for-you?${query}`);
  if (ticket !== articlesTicket || !answer.ok) return null;
  return answer.data.items;
}

/** Articles open in a new tab, so the form is never lost. */
export function renderArticles(articles) {
  const list = $("articles-list");
  list.replaceChildren(...articles.map((article) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = article.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = article.title;
    item.append(link);
    if (article.summary) {
      const summary = document.createElement("p");
      summary.textContent = article.summary;
      item.append(summary);
    }
    if (article.views !== undefined || article.updated) {
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = [article.views !== undefined ? `${article.views} views` : "", article.updated ? `Last updated ${article.updated}` : ""].filter(Boolean).join(" · ");
      item.append(meta);
    }
    return item;
  }));
  $("articles-empty").hidden = articles.length > 0;
}

// Step 2: about you, and the human check ---------------------------------------------------

const LABELS = {
  first_name: "your first name", last_name: "your last name", email: "your email address",
  phone: "your phone number", country: "your country", language: "your language",
  institution: "your school, college, institution, WBL provider or associate role",
};

function contactProblem(name) {
  const input = $(name);
  const value = input.value.trim();
  if (!value) return `Enter ${LABELS[name]}`;
  if (name === "email" && (!input.validity.valid || !value.includes("."))) {
    return "Enter an email address like name@school.sch.uk";
  }
  if (name === "phone" && (!PHONE.test(value) || value.replace(/\D/g, "").length < 5)) {
    return "Enter a phone number: digits, spaces, +, ( ) and - only";
  }
  if (["country", "language", "institution"].includes(name) && value.length < 2) {
    return `Enter ${LABELS[name]}`;
  }
  return "";
}

function contactValues() {
  return Object.fromEntries(CONTACT_FIELDS.map((name) => [name, $(name).value.trim()]));
}

function contactReady() {
  return CONTACT_FIELDS.every((name) => !contactProblem(name)) && Boolean(state.humanCheck);
}

function updateContactNext() {
  const ready = contactReady();
  $("contact-next").hidden = !ready;
  $("contact-next-hint").hidden = ready;
}

for (const name of CONTACT_FIELDS) {
  const input = $(name);
  input.addEventListener("input", () => {
    input.dataset.touched = "true";
    if (!contactProblem(name)) setFieldError(name, "");
    updateContactNext();
  });
  input.addEventListener("change", updateContactNext);
  input.addEventListener("blur", () => {
    if (input.dataset.touched) setFieldError(name, contactProblem(name));
  });
}

function prefill(found) {
  for (const name of CONTACT_FIELDS) {
    const input = $(name);
    const value = found?.[name];
    if (!value || input.value) continue;
    if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) {
      input.add(new Option(value, value));
    }
    input.value = value;
  }
  updateContactNext();
}

const widget = $("human-check");

function humanCheckUnavailable() {
  $("human-check-missing").hidden = false;
  widget?.remove();
}

function watchHumanCheck() {
  if (!widget || app.dataset.humanCheck !== "available") {
    humanCheckUnavailable();
    return;
  }
  widget.addEventListener("statechange", (event) => {
    const { state: widgetState, payload } = event.detail;
    state.humanCheck = widgetState === "verified" ? payload : null;
    if (state.humanCheck) setFieldError("human_check", "");
    updateContactNext();
  });
  import(app.dataset.altchaSrc)
    .then(() => customElements.whenDefined("altcha-widget"))
    .catch(humanCheckUnavailable);
}

steps.contact.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!contactReady()) return;
  $("contact-errors").hidden = true;
  showStep("options");
  loadOptions();
});

// Step 3: the support options ------------------------------------------------------------

const optionError = $("options-error");

function showOptionError(message) {
  optionError.textContent = message;
  optionError.hidden = !message;
}

async function loadOptions({ keepMessage = false } = {}) {
  const cards = $("option-cards");
  cards.setAttribute("aria-busy", "true");
  if (!keepMessage) showOptionError("");
  const result = await callApi("POST", "/api/v1/intake/options", choices());
  cards.setAttribute("aria-busy", "false");
  if (!result.ok) {
    showOptionError(result.error.message);
    return;
  }
  renderOptions(result.data);
}

function renderOptions(options) {
  state.options = options;
  fillSlots($("option-cards"), options);
  $("option-chat").hidden = !options.chat_offered;
  const chatButton = $("option-chat").querySelector("button");
  const closed = $("chat-closed");
  chatButton.hidden = !options.chat_open;
  closed.hidden = options.chat_open;
  closed.textContent = options.chat_open ? "" : options.chat_reason;
}

function setOptionButtons(enabled) {
  for (const button of document.querySelectorAll("[data-channel]")) button.disabled = !enabled;
}

for (const button of document.querySelectorAll("[data-channel]")) {
  button.addEventListener("click", () => openCase(button.dataset.channel));
}

async function openCase(channel) {
  if (state.busy || state.case) return;
  state.busy = true;
  setOptionButtons(false);
  showOptionError("");
  // Opened now, inside the click, so no pop-up blocker stops it; it goes to the chat
  // once the case exists.
  const tab = channel === "chat" ? window.open("", "_blank") : null;
  const result = await callApi("POST", "/api/v1/cases", {
    choice: choices(),
    description: description.value.trim(),
    contact: contactValues(),
    channel,
    human_check: state.humanCheck,
  });
  state.busy = false;
  if (!result.ok) {
    tab?.close();
    setOptionButtons(true);
    handleOpenError(result);
    return;
  }
  caseOpened(result.data, tab);
}

function handleOpenError({ status, error }) {
  const fields = error.fields ?? {};
  if (error.code === "CHAT_UNAVAILABLE") {
    showOptionError(error.message);
    loadOptions({ keepMessage: true });
  } else if (error.code === "HUMAN_CHECK_FAILED") {
    state.humanCheck = null;
    widget?.reset?.();
    setFieldError("human_check", error.message);
    updateContactNext();
    showStep("contact");
  } else if (status === 422 && Object.keys(fields).length) {
    showFieldErrors(error.message, fields);
  } else if (status === 401) {
    showOptionError("Your session has ended. Sign in again in another tab, then choose an option again.");
  } else {
    showOptionError(error.message);
  }
}

function showFieldErrors(message, fields) {
  const byStep = { issue: {}, contact: {} };
  for (const [key, text] of Object.entries(fields)) {
    const name = key.replace(/^(choice|contact)\./, "");
    const step = CONTACT_FIELDS.includes(name) || name === "human_check" ? "contact" : "issue";
    byStep[step][name] = text;
    setFieldError(name, text);
  }
  const step = Object.keys(byStep.issue).length ? "issue" : "contact";
  if (step === "issue") updateIssueNext();
  showStep(step);
  showSummary($(`${step}-errors`), message, byStep[step]);
}

function caseOpened(opened, tab) {
  state.case = opened;
  $("options-back").hidden = true;
  const summary = $("case-created");
  summary.replaceChildren();
  const line = document.createElement("p");
  line.append("Your case number is ");
  const number = document.createElement("strong");
  number.className = "case-number";
  number.textContent = opened.number;
  line.append(number, ".");
  summary.append(line);
  if (opened.channel === "chat") {
    if (tab) {
      tab.opener = null;
      tab.location.href = opened.chat_url;
    }
    summary.append(paragraph("Your chat has opened in a new tab. ", link("Open the chat", opened.chat_url, true)));
  } else {
    const again = document.createElement("button");
    again.type = "button";
    again.className = "secondary";
    again.id = "case-dialog-reopen";
    again.textContent = "Show case information";
    again.addEventListener("click", () => openDialog(opened));
    summary.append(paragraph(again));
  }
  summary.append(paragraph(link("View this case in My Cases", opened.case_url), " · ", link("Back to support", "/")));
  summary.hidden = false;
  if (opened.channel === "chat") summary.setAttribute("tabindex", "-1");
  if (opened.channel === "chat") summary.focus();
  else openDialog(opened);
}

function paragraph(...parts) {
  const element = document.createElement("p");
  element.append(...parts);
  return element;
}

function link(text, href, newTab = false) {
  const element = document.createElement("a");
  element.href = href;
  element.textContent = text;
  if (newTab) {
    element.target = "_blank";
    element.rel = "noopener";
  }
  return element;
}

// The case dialog and its attachments -----------------------------------------------------

const dialog = $("case-dialog");

function openDialog(opened) {
  fillSlots(dialog, opened);
  for (const block of dialog.querySelectorAll("[data-channel-text]")) {
    block.hidden = block.dataset.channelText !== opened.channel;
  }
  dialog.showModal();
  $("case-dialog-title").focus();
}

$("case-dialog-close").addEventListener("click", () => dialog.close());
dialog.addEventListener("close", () => $("case-dialog-reopen")?.focus());

const uploadInput = $("upload-input");
const uploads = new UploadQueue($("upload-list"), { caseNumber: () => state.case.number, csrf });
$("upload-button").addEventListener("click", () => uploadInput.click());
uploadInput.addEventListener("change", () => {
  uploads.add([...uploadInput.files]);
  uploadInput.value = "";
});
acceptDrops($("drop-zone"), (files) => uploads.add(files), dialog);

// Start ----------------------------------------------------------------------------------

async function start() {
  $("js-needed").remove();
  app.hidden = false;
  watchHumanCheck();
  const [taxonomy, contact] = await Promise.all([
    callApi("GET", "/api/v1/intake/taxonomy"),
    callApi("GET", "/api/v1/intake/contact"),
  ]);
  if (!taxonomy.ok) {
    const message = $("load-error");
    message.textContent = `We could not load the form: ${taxonomy.error.message}`;
    message.hidden = false;
    return;
  }
  state.taxonomy = taxonomy.data;
  fillSelect($("customer_type"), optionsFor("customer_type", {}));
  if (contact.ok) prefill(contact.data);
  updateIssueNext();
  updateContactNext();
}

start();
