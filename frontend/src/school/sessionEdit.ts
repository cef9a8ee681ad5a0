// Pure helpers for changing a scheduled session (moving or cancelling it) and for the course's
// enrolment list on the attendance sheet.
import type { ClassSession, CourseEnrollment, SessionPatch } from '@/api/school'
import { clockOf, dateOf, instant } from './calendar'

/** MoveForm is what the 调整 dialog edits: a date, a slot ("hh:mm-hh:mm" or "custom"), venue, teacher. */
export interface MoveForm {
  date: string
  slot: string
  /** start and end are used when slot is "custom". */
  start: string
  end: string
  venueId?: number
  teacherId?: number
}

/** slotTimes splits an "hh:mm-hh:mm" slot into its start and end. */
export function slotTimes(slot: string): [string, string] | null {
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(slot)
  return m ? [m[1], m[2]] : null
}

/** moveFormOf prefills the 调整 dialog from a session: its date, its slot when it is one of slots, else a custom time. */
export function moveFormOf(s: ClassSession, slots: string[]): MoveForm {
  const start = clockOf(s.startsAt)
  const end = clockOf(s.endsAt)
  const slot = `${start}-${end}`
  return {
    date: dateOf(s.startsAt),
    slot: slots.includes(slot) ? slot : 'custom',
    start,
    end,
    venueId: s.venueId ?? undefined,
    teacherId: s.teacherId ?? undefined,
  }
}

/**
 * movePatch builds the PATCH /sessions/{id} body: times in the school's zone (a chosen slot wins
 * over start and end), venue and teacher only when chosen (left out, the server keeps them).
 */
export function movePatch(f: MoveForm): SessionPatch {
  const [start, end] = (f.slot !== 'custom' && slotTimes(f.slot)) || [f.start, f.end]
  const p: SessionPatch = { startsAt: instant(f.date, start), endsAt: instant(f.date, end) }
  if (f.venueId) p.venueId = f.venueId
  if (f.teacherId) p.teacherId = f.teacherId
  return p
}

/** isUnchanged tells whether a patch would leave the session as it is (same times, venue and teacher). */
export function isUnchanged(s: ClassSession, p: SessionPatch): boolean {
  return (
    Date.parse(s.startsAt) === Date.parse(p.startsAt) &&
    Date.parse(s.endsAt) === Date.parse(p.endsAt) &&
    (p.venueId === undefined || p.venueId === s.venueId) &&
    (p.teacherId === undefined || p.teacherId === s.teacherId)
  )
}

/** canCancel tells whether a session is still to come (only those can be cancelled). */
export function canCancel(s: Pick<ClassSession, 'startsAt'>, now: Date = new Date()): boolean {
  return Date.parse(s.startsAt) > now.getTime()
}

/**
 * splitEnrollments separates the cadres on the attendance sheet (enrolled, in the server's order)
 * from the waiting list (by position); other statuses are left out.
 */
export function splitEnrollments(list: CourseEnrollment[]): { enrolled: CourseEnrollment[]; waitlisted: CourseEnrollment[] } {
  const enrolled = list.filter((e) => e.status === 'enrolled')
  const waitlisted = list
    .filter((e) => e.status === 'waitlisted')
    .sort((a, b) => (a.position ?? Number.MAX_SAFE_INTEGER) - (b.position ?? Number.MAX_SAFE_INTEGER) || a.id - b.id)
  return { enrolled, waitlisted }
}

/** halfHours are the clock times 07:00 … 22:00 every half hour, for custom start and end. */
export function halfHours(): string[] {
  const out: string[] = []
  for (let m = 7 * 60; m <= 22 * 60; m += 30) out.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`)
  return out
}
