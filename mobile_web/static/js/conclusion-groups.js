// The conclusion form: keep "actions the conclusion creates" in step with the
// group fields while the lead types. The server counts the same way: a group
// field left empty is the proposal's own number (services/review/conclusions.py).
const list = document.querySelector('[data-action-count]');
const shown = document.querySelector('[data-count]');

function count() {
  const groups = new Set();
  for (const input of list.querySelectorAll('input[data-own]')) {
    groups.add(input.value.trim() || input.dataset.own);
  }
  shown.textContent = String(groups.size);
}

if (list && shown) {
  list.addEventListener('input', count);
  count();
}
