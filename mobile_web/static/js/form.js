// Checklist rules, mirrored from server/services/checklists/scoring.py (answer_problem,
// hidden_items, the pass/fail judgement) so the phone says what the server will.
import { t, tx } from './i18n.js';

export const blank = (v) => v === null || v === undefined || (typeof v === 'string' && !v.trim());
const isInt = (v) => Number.isInteger(v);
const whole = (v) => isInt(v) && v >= 0;
const yesNo = (v) => (v === true ? 'yes' : v === false ? 'no' : v);

export function* items(def) {
  for (const section of def.sections) for (const item of section.items) yield [section, item];
}

export function answerProblem(item, answer) {
  if (!answer) return null;
  if (answer.na) return item.allow_na ? null : t('this item cannot be marked not applicable');
  const v = answer.value;
  if (blank(v)) return null;
  const keys = (item.options || []).map((o) => o.key);
  switch (item.type) {
    case 'pass_fail': return ['pass', 'fail'].includes(v) ? null : t('the answer must be pass or fail');
    case 'yes_no': return ['yes', 'no'].includes(yesNo(v)) ? null : t('the answer must be yes or no');
    case 'ratio':
      if (typeof v !== 'object' || !whole(v.numerator) || !whole(v.denominator)) return t('ratio');
      return v.numerator > v.denominator ? t('the numerator must not be larger than the denominator') : null;
    case 'count': return whole(v) ? null : t('the answer must be a whole number of 0 or more');
    case 'number': return typeof v === 'number' && Number.isFinite(v) ? null : t('the answer must be a number');
    case 'scale': {
      const { min, max } = item.scale;
      return isInt(v) && v >= min && v <= max ? null : t('scale', { min, max });
    }
    case 'choice': return keys.includes(v) ? null : t('choice', { options: [...keys].sort().join(', ') });
    case 'multi_choice':
      return Array.isArray(v) && v.every((k) => keys.includes(k)) && new Set(v).size === v.length
        ? null : t('multi_choice', { options: [...keys].sort().join(', ') });
    default: return null;
  }
}

// show_if: true only when the named item is visible, answered, not N/A, and matches.
function holds(cond, answer) {
  if (!answer || answer.na || blank(answer.value)) return false;
  const chosen = (Array.isArray(answer.value) ? answer.value : [answer.value]).map(yesNo);
  const wanted = ['in', 'not_in'].includes(cond.operator) ? cond.value : [cond.value];
  const hit = chosen.some((c) => wanted.some((w) => c === w));
  return ['equals', 'in'].includes(cond.operator) ? hit : !hit;
}

export function hiddenItems(def, answers) {
  const hidden = new Set();
  for (const [, item] of items(def)) {
    const c = item.show_if;
    if (c && (hidden.has(c.item) || !holds(c, answers[c.item]))) hidden.add(item.key);
  }
  return hidden;
}

function within(item, measured) {
  return (item.pass_at == null || measured >= item.pass_at) && (item.pass_at_most == null || measured <= item.pass_at_most);
}

// pass | fail | na | unanswered | unscored | invalid, for a visible item.
export function outcome(item, answer) {
  if (answerProblem(item, answer)) return 'invalid';
  if (answer?.na) return 'na';
  const v = answer?.value;
  if (blank(v)) return 'unanswered';
  if (!item.scored) return 'unscored';
  const pass = (ok) => (ok ? 'pass' : 'fail');
  switch (item.type) {
    case 'pass_fail': return pass(v === 'pass');
    case 'yes_no': return pass(yesNo(v) === item.pass_if);
    case 'ratio': return v.denominator === 0 ? 'na' : pass(within(item, (v.numerator * 100) / v.denominator));
    case 'count': case 'number': return pass(within(item, v));
    case 'scale': return item.pass_at == null ? 'pass' : pass(within(item, v));
    default: {
      const chosen = Array.isArray(v) ? v : [v];
      return pass(!item.options.some((o) => o.fails && chosen.includes(o.key)));
    }
  }
}

// Does this answer need a photo (the item's evidence rule)?
export function photoNeeded(item, answer) {
  const rule = item.evidence?.photo || 'never';
  if (rule === 'always') return !answer?.na;
  if (rule === 'on_fail') return outcome(item, answer) === 'fail';
  return item.type === 'photo' && item.required;
}

const answered = (a) => !!a && (a.na || !blank(a.value));

export function sectionProgress(section, answers, hidden) {
  const req = section.items.filter((i) => i.required && !hidden.has(i.key));
  return { answered: req.filter((i) => answered(answers[i.key])).length, required: req.length };
}

// What still stops a submission: [{text, href, warn}] (warn: shown, not blocking).
export function missing(insp, draft, photoCount) {
  const def = insp.checklist;
  const hidden = hiddenItems(def, draft.answers);
  const out = [];
  const base = `#/i/${insp.uuid}`;
  // Not blocking: without a GPS fix the team can still submit; the lead sees no check-in.
  if (!draft.checkin && !insp.checked_in_at) out.push({ text: t('Not checked in on site'), href: base, warn: true });
  for (const [section, item] of items(def)) {
    if (hidden.has(item.key)) continue;
    const a = draft.answers[item.key];
    const where = `${base}/s/${section.key}#item-${item.key}`;
    const label = tx(item.text);
    if (answerProblem(item, a)) out.push({ text: `${label}: ${answerProblem(item, a)}`, href: where });
    else if (item.required && !answered(a)) out.push({ text: t('No answer: %(item)s', { item: label }), href: where });
    else if (photoNeeded(item, a) && !photoCount(item.key)) out.push({ text: t('Photo needed: %(item)s', { item: label }), href: where });
  }
  const sides = new Set(draft.attendees.filter((x) => !blank(x.name)).map((x) => x.side));
  const minutes = `${base}/minutes`;
  if (!sides.has('team')) out.push({ text: t('Add an attendee from the team'), href: minutes });
  if (!sides.has('unit')) out.push({ text: t('Add an attendee from the unit'), href: minutes });
  if (!draft.started_at || !draft.ended_at) out.push({ text: t('Enter the start and end time'), href: minutes });
  const s = draft.signatures || {};
  // Drawn, or confirmed by typing the full name (server: completeness.submission_problems).
  if (!(s.lead?.evidence_uuid || (s.lead?.typed && !blank(s.lead.name)))) out.push({ text: t('Signature of the team lead'), href: minutes });
  const unitDone = s.unit && (s.unit.refused ? !blank(s.unit.reason) : s.unit.evidence_uuid);
  if (!unitDone) out.push({ text: t("Signature of the unit's representative, or the reason they refused"), href: minutes });
  for (const f of draft.findings) if (blank(f.description)) out.push({ text: t('A finding has no description'), href: `${base}/findings` });
  return out;
}
