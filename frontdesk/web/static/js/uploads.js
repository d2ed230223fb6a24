// Attaching files through the API: to a case (the Contact Us dialog, the case page) and in
// a chat (the chat window and the agent console send one at a time with sendFile).
// Each file goes on its own as the request body (the server streams it and checks it as it
// arrives; a multipart form would be held whole first), one after another, with a row in
// the page's list for its progress and its result. The server decides; the size check here
// only spares the customer sending 10 MB to be told no.

export const MAX_FILE_BYTES = 10 * 1024 * 1024; // the guide's 10 MB; the server checks it too

export function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

// Files dropped on `zone` are handed to `onFiles`. A file dropped beside it, anywhere in
// `around`, is ignored rather than opened in place of the page (and what is on it); text
// dragged into a text box is left alone.
export function acceptDrops(zone, onFiles, around = zone) {
  const carriesFiles = (event) => event.dataTransfer?.types.includes("Files");
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      zone.classList.add("dragging");
    });
  }
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    onFiles([...event.dataTransfer.files]);
  });
  for (const type of ["dragover", "drop"]) {
    around.addEventListener(type, (event) => {
      if (carriesFiles(event)) event.preventDefault();
    });
  }
}

// Files sent one at a time to the case `caseNumber()` names, each with a row in `list`.
// `onDone(file, result)` follows each: result is {ok, message, attachment}.
export class UploadQueue {
  constructor(list, { caseNumber, csrf, onDone = () => {} }) {
    this.list = list;
    this.caseNumber = caseNumber;
    this.csrf = csrf;
    this.onDone = onDone;
    this.last = Promise.resolve();
  }

  add(files) {
    for (const file of files) {
      const row = this.row(file);
      this.last = this.last.then(async () => {
        const result = await this.send(file, row);
        row.finish(result);
        this.onDone(file, result);
      });
    }
    return this.last;
  }

  row(file) {
    const row = document.createElement("li");
    const name = document.createElement("span");
    name.className = "file-name";
    name.textContent = file.name;
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", `Uploading ${file.name}`);
    const status = document.createElement("p");
    status.className = "file-status";
    status.textContent = "Waiting to upload";
    row.append(name, progress, status);
    this.list.append(row);
    row.scrollIntoView({ block: "nearest" });
    return {
      progress,
      status,
      finish({ ok, message }) {
        row.classList.add(ok ? "uploaded" : "refused");
        progress.value = ok ? 100 : 0;
        progress.hidden = !ok;
        status.textContent = ok ? message : `Not uploaded: ${message}`;
      },
    };
  }

  send(file, { progress, status }) {
    const number = encodeURIComponent(this.caseNumber());
    status.textContent = "Uploading…";
    return sendFile(`/api/v1/cases/${number}/attachments`, file, this.csrf, (percent) => {
      progress.value = percent;
    }).then((result) => (result.ok
      ? { ...result, attachment: result.body, message: `Uploaded (${sizeText(result.body?.size ?? file.size)})` }
      : result));
  }
}

// One file as the body of a POST to `url` (the server streams and checks it, named by
// ?name=), with `onProgress(percent)` as it goes. Resolves, never rejects, with {ok,
// message, body}: body is the server's answer (201: what was created); message, on a
// refusal, the server's words (which name the file), or what went wrong on the way.
export function sendFile(url, file, csrf, onProgress = () => {}) {
  if (file.size > MAX_FILE_BYTES) {
    return Promise.resolve({ ok: false, message: `${file.name}: the file is larger than 10 MB`, body: null });
  }
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", `${url}?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", csrf);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded * 100) / event.total));
    });
    request.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 201) return resolve({ ok: true, message: "", body });
      const message = body?.error?.message
        ?? `${file.name}: the upload failed (${request.status}); please try again`;
      resolve({ ok: false, message, body });
    });
    request.addEventListener("error", () => {
      const message = `${file.name}: the upload failed; check your connection and try again`;
      resolve({ ok: false, message, body: null });
    });
    request.send(file);
  });
}

// What a chat message sharing a file shows in place of its text: "Sent a file:", the
// file's name as its download link, and its size. The same in every chat view.
export function sharedFile(attachment) {
  const body = document.createElement("span");
  const link = document.createElement("a");
  link.href = attachment.url;
  link.download = attachment.name;
  link.className = "shared-file";
  link.textContent = attachment.name;
  body.append("Sent a file: ", link, ` (${sizeText(attachment.size)})`);
  return body;
}
