// The plan forms' unit picker: search units by name (accents and case ignored) or code,
// narrowed by province and by the unit kinds ticked, and add them to the plan. Each chosen
// unit is a hidden `unit_ids` field, so a refused form comes back with them (the server
// renders the chosen list again); without this script, codes are typed instead.
import { h } from './dom.js';

const DELAY_MS = 250;

function chosenRow(picker, unit) {
  return h('li', { class: 'item row' },
    h('input', { type: 'hidden', name: 'unit_ids', value: String(unit.id) }),
    h('span', {}, h('strong', { text: unit.name }), ' ', h('span', { class: 'meta', text: describe(unit) })),
    h('button', { type: 'button', class: 'link', 'data-remove': '', text: picker.dataset.remove }));
}

const describe = (unit) => [unit.code, unit.kind_label, unit.province].filter(Boolean).join(' · ');

function setup(picker) {
  const form = picker.closest('form');
  const search = picker.querySelector('.picker-search');
  const input = picker.querySelector('input[name=unit_q]');
  const province = picker.querySelector('select[name=province_id]');
  const results = picker.querySelector('.picker-results');
  const status = picker.querySelector('[role=status]');
  const picked = picker.querySelector('.picked');
  const empty = picker.querySelector('.picked-empty');
  const codes = picker.querySelector('.codes');
  search.hidden = false;
  if (codes && !codes.querySelector('textarea').value.trim()) codes.hidden = true;

  const chosenIds = () => new Set([...picked.querySelectorAll('input[name=unit_ids]')].map((i) => i.value));
  const refreshEmpty = () => { empty.hidden = picked.children.length > 0; };
  let found = [];
  let timer = null;
  let turn = 0;

  function showResults() {
    const chosen = chosenIds();
    results.replaceChildren(...found.map((unit) => {
      const taken = chosen.has(String(unit.id));
      // Named by what it shows ("Add" or "Added"), then the unit it is for.
      const shown = taken ? picker.dataset.added : picker.dataset.add;
      const add = h('button', { type: 'button', class: 'link', text: shown, 'aria-label': `${shown}: ${unit.name}` });
      add.disabled = taken;
      add.addEventListener('click', () => choose(unit));
      return h('li', { class: 'item row' },
        h('span', {}, h('strong', { text: unit.name }), ' ', h('span', { class: 'meta', text: describe(unit) })), add);
    }));
  }

  function choose(unit) {
    if (!chosenIds().has(String(unit.id))) picked.append(chosenRow(picker, unit));
    refreshEmpty();
    showResults();
    input.focus();
  }

  async function run() {
    const mine = ++turn;
    const q = input.value.trim();
    if (!q) { found = []; status.textContent = ''; showResults(); return; }
    const params = new URLSearchParams({ q });
    if (province.value) params.set('province_id', province.value);
    for (const box of form.querySelectorAll('input[name=unit_kinds]:checked')) params.append('kind', box.value);
    status.textContent = picker.dataset.searching;
    try {
      const res = await fetch(`${picker.dataset.searchUrl}?${params}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(String(res.status));
      const rows = await res.json();
      if (mine !== turn) return; // a later search is under way
      found = rows;
      status.textContent = rows.length ? '' : picker.dataset.none;
      showResults();
    } catch {
      if (mine === turn) status.textContent = picker.dataset.failed;
    }
  }

  const later = () => { clearTimeout(timer); timer = setTimeout(run, DELAY_MS); };
  input.addEventListener('input', later);
  province.addEventListener('change', run);
  form.addEventListener('change', (e) => { if (e.target.name === 'unit_kinds') run(); });
  // Enter in the search box adds the only unit found instead of sending the form.
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    if (found.length === 1) choose(found[0]);
  });
  picked.addEventListener('click', (e) => {
    const button = e.target.closest('[data-remove]');
    if (!button) return;
    button.closest('li').remove();
    refreshEmpty();
    showResults();
  });
  if (input.value.trim()) run();
}

document.querySelectorAll('.unit-picker').forEach(setup);
