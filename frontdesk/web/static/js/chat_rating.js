// "How satisfied were you?" in the chat window, once a chat an agent answered has ended:
// a score from 1 to 5 (native radio buttons: arrow keys choose) and a comment if the
// customer likes, sent over the chat's socket (rate_chat). Sent again, within a day of
// the first rating, it changes it; the server says until when, and refuses after.
const ukTime = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", weekday: "long", hour: "2-digit", minute: "2-digit", hour12: false,
});

export function createChatRating({ call, errorWords }) {
  const section = document.getElementById("chat-rating");
  if (!section) return { ask() {} };
  const form = document.getElementById("chat-rating-form");
  const send = document.getElementById("chat-rating-send");
  const done = document.getElementById("chat-rating-done");
  const scale = document.getElementById("rating-score");
  const scoreError = document.getElementById("rating-score-error");
  let chatId = null;

  function ask(chat) {
    if (!chat || !chat.accepted_at || chatId === chat.public_id) return;
    chatId = chat.public_id;
    section.hidden = false;
  }

  function showError(text) {
    scoreError.textContent = `Error: ${text}`;
    scoreError.hidden = false;
    scale.classList.add("has-error");
    scale.setAttribute("aria-describedby", scoreError.id);
    (form.querySelector('input[name="score"]:checked') || form.querySelector('input[name="score"]')).focus();
  }

  function clearError() {
    scoreError.textContent = "";
    scoreError.hidden = true;
    scale.classList.remove("has-error");
    scale.removeAttribute("aria-describedby");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chatId) return;
    const chosen = form.querySelector('input[name="score"]:checked');
    if (!chosen) return showError("Choose how satisfied you were, from 1 to 5.");
    const comment = form.elements.comment.value.trim();
    send.disabled = true;
    const ack = await call("rate_chat", { chat_id: chatId, score: Number(chosen.value), comment: comment || null });
    send.disabled = false;
    if (!ack.ok) {
      const fields = ack.error.fields || {};
      return showError(fields.score || fields.comment || errorWords(ack.error));
    }
    clearError();
    const { score, changeable, changeable_until: until } = ack.data;
    const change = changeable && until ? ` You can change it until ${ukTime.format(new Date(until))} (UK time).` : "";
    done.textContent = `Thank you: you rated this chat ${score} of 5.${change}`;
    done.hidden = false;
    send.textContent = "Change my rating";
    done.focus();
  });

  return { ask };
}
