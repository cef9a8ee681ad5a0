// Pure helpers of the school calendar: dates are "YYYY-MM-DD" strings and session times are read
// as written by the server (the school's zone, Asia/Shanghai), so the browser's zone never shifts
// a session to another day.
import type { CalendarDay, ClassSession, DayKind } from '@/api/school'

/** SCHOOL_OFFSET is the UTC offset of the school's zone (Asia/Shanghai has no DST). */
export const SCHOOL_OFFSET = '+08:00'

function parse(d: string): Date {
  const [y, m, day] = d.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, day))
}
function fmt(d: Date): string {
  return d.toISOString().slice(0, 10)
}

/** addDays moves a date by n days. */
export function addDays(d: string, n: number): string {
  const x = parse(d)
  x.setUTCDate(x.getUTCDate() + n)
  return fmt(x)
}

/** weekday is 1 (Monday) … 7 (Sunday). */
export function weekday(d: string): number {
  return parse(d).getUTCDay() || 7
}

/** weekStart is the Monday of d's week. */
export function weekStart(d: string): string {
  return addDays(d, 1 - weekday(d))
}

/** weekDays are the seven dates (Monday first) of d's week. */
export function weekDays(d: string): string[] {
  const s = weekStart(d)
  return Array.from({ length: 7 }, (_, i) => addDays(s, i))
}

/** monthGrid is the weeks (Monday first) covering d's month, each with seven dates. */
export function monthGrid(d: string): string[][] {
  const first = d.slice(0, 8) + '01'
  const month = first.slice(0, 7)
  const weeks: string[][] = []
  let cur = weekStart(first)
  do {
    weeks.push(weekDays(cur))
    cur = addDays(cur, 7)
  } while (cur.slice(0, 7) === month)
  return weeks
}

/** viewRange is the first and last date a week or month view shows. */
export function viewRange(view: 'week' | 'month', anchor: string): { from: string; to: string } {
  if (view === 'week') {
    const days = weekDays(anchor)
    return { from: days[0], to: days[6] }
  }
  const g = monthGrid(anchor)
  return { from: g[0][0], to: g[g.length - 1][6] }
}

/** shiftAnchor moves the anchor by one week or one month. */
export function shiftAnchor(view: 'week' | 'month', anchor: string, dir: 1 | -1): string {
  if (view === 'week') return addDays(anchor, 7 * dir)
  const [y, m] = anchor.split('-').map(Number)
  const x = new Date(Date.UTC(y, m - 1 + dir, 1))
  return fmt(x)
}

/** dateOf is the calendar date of an RFC 3339 instant as written ("2026-09-01T18:30:00+08:00"). */
export function dateOf(instant: string): string {
  return instant.slice(0, 10)
}

/** clockOf is "hh:mm" of an instant as written. */
export function clockOf(instant: string): string {
  const m = /T(\d{2}:\d{2})/.exec(instant)
  return m ? m[1] : ''
}

/** instant writes a date and an "hh:mm" clock in the school's zone. */
export function instant(date: string, clock: string): string {
  return `${date}T${clock}:00${SCHOOL_OFFSET}`
}

/** todayInSchool is today's date in the school's zone. */
export function todayInSchool(now: Date = new Date()): string {
  return fmt(new Date(now.getTime() + 8 * 3600 * 1000))
}

/** byStart orders sessions by their start. */
export function byStart(a: ClassSession, b: ClassSession): number {
  return a.startsAt.localeCompare(b.startsAt) || a.id - b.id
}

/** sessionsByDay groups sessions by their date, each day in time order. */
export function sessionsByDay(sessions: ClassSession[]): Record<string, ClassSession[]> {
  const out: Record<string, ClassSession[]> = {}
  for (const s of [...sessions].sort(byStart)) (out[dateOf(s.startsAt)] ||= []).push(s)
  return out
}

export interface Resource {
  id: number
  name: string
}

export interface ResourceRow {
  /** id 0 is the row of sessions without a venue or teacher. */
  id: number
  name: string
  cells: Record<string, ClassSession[]>
  count: number
}

/**
 * resourceRows lays a week out by venue or by teacher: one row per resource, one cell per day,
 * sessions in time order; sessions outside days are left out. A row of unassigned sessions is
 * added only when there are some.
 */
export function resourceRows(sessions: ClassSession[], resources: Resource[], by: 'venue' | 'teacher', days: string[]): ResourceRow[] {
  const inView = new Set(days)
  const rows = new Map<number, ResourceRow>()
  for (const r of [...resources].sort((a, b) => a.id - b.id)) rows.set(r.id, { id: r.id, name: r.name, cells: {}, count: 0 })
  for (const s of [...sessions].sort(byStart)) {
    const d = dateOf(s.startsAt)
    if (!inView.has(d)) continue
    const id = (by === 'venue' ? s.venueId : s.teacherId) ?? 0
    let row = rows.get(id)
    if (!row) {
      const name = id === 0 ? '' : (by === 'venue' ? s.venueName : s.teacherName) || `#${id}`
      row = { id, name, cells: {}, count: 0 }
      rows.set(id, row)
    }
    ;(row.cells[d] ||= []).push(s)
    row.count++
  }
  return [...rows.values()]
}

/** dayKinds indexes calendar days by date. */
export function dayKinds(days: CalendarDay[]): Record<string, CalendarDay> {
  const out: Record<string, CalendarDay> = {}
  for (const d of days) out[d.date] = d
  return out
}

/** isRestDay tells whether a day kind is a day off (weekend or holiday; a 调休 make-up day is a workday). */
export function isRestDay(kind?: DayKind): boolean {
  return kind === 'weekend' || kind === 'holiday'
}

/** overlaps tells whether two sessions share any time. */
export function overlaps(a: { startsAt: string; endsAt: string }, b: { startsAt: string; endsAt: string }): boolean {
  return Date.parse(a.startsAt) < Date.parse(b.endsAt) && Date.parse(b.startsAt) < Date.parse(a.endsAt)
}
