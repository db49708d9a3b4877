// Forms that send files: say at once when the chosen files are over the server's
// limit, and do not send them, so nothing typed beside them is lost to a refused
// upload. The server holds the same limit and answers a refusal on the same form
// with what was typed (server/upload_forms.py); this only spares the wait.

// The form's text fields and the multipart framing travel with the files.
const FORM_OVERHEAD_BYTES = 64 * 1024;

function megabytes(bytes) {
  const lang = document.documentElement.lang || undefined;
  return (bytes / (1024 * 1024)).toLocaleString(lang, { maximumFractionDigits: 1 });
}

function setup(input) {
  const form = input.form;
  const shown = input.parentElement.querySelector('.upload-too-large');
  const limit = Number(input.dataset.maxBytes) - FORM_OVERHEAD_BYTES;

  function check() {
    const total = [...input.files].reduce((sum, file) => sum + file.size, 0);
    const message = total > limit ? input.dataset.tooLarge.replace('{chosen}', megabytes(total)) : '';
    input.setCustomValidity(message);
    if (shown) {
      shown.textContent = message;
      shown.hidden = !message;
    }
    return !message;
  }

  input.addEventListener('change', check);
  form.addEventListener('submit', (event) => {
    if (!check()) {
      event.preventDefault();
      input.focus();
    }
  });
}

document.querySelectorAll('input[type="file"][data-max-bytes]').forEach(setup);
