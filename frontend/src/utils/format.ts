/** fmtTime shows an RFC 3339 instant as "YYYY-MM-DD hh:mm" in the server's zone (as written). */
export function fmtTime(s?: string | null): string {
  if (!s) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(s)
  return m ? `${m[1]} ${m[2]}` : s
}

/** clockOf returns "hh:mm:ss" of an RFC 3339 instant as written by the server. */
export function clockOf(s?: string | null): string {
  if (!s) return ''
  const m = /T(\d{2}:\d{2}:\d{2})/.exec(s)
  return m ? m[1] : s
}

/** toRfc3339 writes a Date with the local offset, as the server expects. */
export function toRfc3339(d: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0')
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
}

/** richText renders a stem safely: HTML escaped, **bold** kept, line breaks kept. */
export function richText(s: string): string {
  const esc = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  return esc.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/\n/g, '<br>')
}

export const TYPE_NAMES: Record<string, [string, string]> = {
  single: ['单项选择题', 'Single choice'],
  multiple: ['多项选择题', 'Multiple choice'],
  true_false: ['判断题', 'True/false'],
  fill_blank: ['填空题', 'Fill in the blank'],
  short_answer: ['简答题', 'Short answer'],
  case_analysis: ['案例分析题', 'Case analysis'],
  essay: ['论述题', 'Essay'],
}

export function typeName(type: string, locale: string): string {
  const p = TYPE_NAMES[type]
  return p ? p[locale === 'en' ? 1 : 0] : type
}
