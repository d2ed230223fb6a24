// The case page's "Add files", enhanced: the file input and its submit button give way to
// a drop zone with a "Choose files" button; each file is sent through the attachments API
// as soon as it is chosen or dropped (uploads.js), its row shows its progress and result,
// a log (polite, as every role=log) says each result, and cases.js redraws the feed. The
// form (templates/cases/_files.html) works without this script.

import { acceptDrops, UploadQueue } from "./uploads.js";

const form = document.getElementById("upload-form");
if (form) {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const input = form.elements.files;
  const list = document.getElementById("upload-list");
  const log = document.getElementById("upload-log");
  const zone = document.getElementById("drop-zone");
  const number = form.dataset.number;

  const tell = (message) => {
    const line = document.createElement("p");
    line.textContent = message;
    log.append(line);
  };

  // Ask cases.js to redraw the feed; true once the new item is shown.
  const redrawFeed = async () => {
    const feed = document.getElementById("feed");
    if (!feed) return false;
    const changed = new CustomEvent("case-changed", { detail: {} });
    feed.dispatchEvent(changed);
    return Boolean(await changed.detail.redrawn);
  };

  const uploads = new UploadQueue(list, {
    caseNumber: () => number,
    csrf,
    onDone: async (file, { ok, message }) => {
      if (!ok) return tell(`Not uploaded: ${message}`);
      const shown = await redrawFeed();
      tell(`${file.name}: ${message}${shown ? "; it is now in the activity" : ""}`);
    },
  });

  const send = (files) => {
    if (files.length === 0) return;
    list.hidden = false;
    uploads.add(files);
  };

  document.getElementById("upload-field").hidden = true;
  zone.hidden = false;
  document.getElementById("choose-files").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    send([...input.files]);
    input.value = "";
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  acceptDrops(zone, send, document);
}
