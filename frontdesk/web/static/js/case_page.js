// A case page, enhanced: links in its chat transcripts made live (static/js/links.js),
// again whenever cases.js redraws the feed; and on the staff page, the canned replies
// picker in the reply box. Without this script the transcripts stay plain text.
import { attachCannedPicker } from "./canned.js";
import { linkTranscripts } from "./links.js";

const feed = document.getElementById("feed");
if (feed) {
  linkTranscripts(feed);
  new MutationObserver(() => linkTranscripts(feed)).observe(feed, { childList: true, subtree: true });
}

const reply = document.getElementById("reply-body");
const form = reply?.closest("form[data-case-number]");
if (reply && form) {
  attachCannedPicker(reply, { caseNumber: form.dataset.caseNumber, after: reply });
}
