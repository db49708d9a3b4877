// Dates as the page's language writes them, with four-digit years, the same way
// the server writes them (server/i18n.py): 03/12/2026 and 03/12/2026 16:28 in
// Vietnamese; 3 Dec 2026 and 3 Dec 2026 16:28 in English, the month named so that
// no reader takes the day for the month.
const STYLES = {
  vi: { locale: 'vi-VN', date: { day: '2-digit', month: '2-digit', year: 'numeric' } },
  en: { locale: 'en-GB', date: { day: 'numeric', month: 'short', year: 'numeric' } },
};
const style = () => STYLES[(document.documentElement.lang || 'vi').slice(0, 2)] || STYLES.en;

// A calendar day: a Date, or "2026-12-03" (read as that day, whatever the phone's zone).
export function fmtDay(value) {
  if (!value) return '';
  let day = value;
  if (typeof value === 'string') {
    const [y, mo, d] = value.slice(0, 10).split('-').map(Number);
    if (!y || !mo || !d) return '';
    day = new Date(y, mo - 1, d);
  }
  if (Number.isNaN(day.getTime())) return '';
  const { locale, date } = style();
  return new Intl.DateTimeFormat(locale, date).format(day);
}

// A moment (ISO with offset, or "2026-12-03T16:28" from a datetime-local field), in the phone's time.
export function fmtMoment(value) {
  if (!value) return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return `${fmtDay(d)} ${time}`;
}
