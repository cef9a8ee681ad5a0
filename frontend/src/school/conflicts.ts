// Turning the server's scheduling problems into explanations a scheduler can act on: the
// conflict list of 409 schedule_conflict names venues, teachers and sessions by number; here
// they get their names, course and time.
import { ApiError } from '@/api/http'
import type { ClassSession, Teacher, Venue } from '@/api/school'
import { clockOf, dateOf } from './calendar'

export type ProblemKind = 'venue' | 'teacher' | 'cadre' | 'capacity' | 'unavailable' | 'slot' | 'infeasible' | 'field' | 'other'

export interface ProblemItem {
  kind: ProblemKind
  text: string
  /** sessionId is the session the conflict is with, when the server names one. */
  sessionId?: number
}

export interface Explained {
  code: string
  /** title is the headline (the server's Chinese detail for problems without a list). */
  title: string
  items: ProblemItem[]
}

export interface Names {
  venues: Pick<Venue, 'id' | 'name'>[]
  teachers: Pick<Teacher, 'id' | 'name'>[]
  sessions: ClassSession[]
}

/** describeSession names a session: course, date and time. */
export function describeSession(s: ClassSession): string {
  const d = dateOf(s.startsAt)
  return `「${s.courseTitle || '课程 ' + s.courseId}」${d} ${clockOf(s.startsAt)}–${clockOf(s.endsAt)}`
}

/** nameConflict rewrites one conflict message of the server with names instead of numbers. */
export function nameConflict(message: string, names: Names): { text: string; sessionId?: number } {
  const venue = (id: string) => names.venues.find((v) => v.id === Number(id))
  const teacher = (id: string) => names.teachers.find((t) => t.id === Number(id))
  let sessionId: number | undefined
  const text = message
    .replace(/教室 (\d+) ?/g, (m, id) => (venue(id) ? `教室「${venue(id)!.name}」` : m))
    .replace(/教师 (\d+) ?/g, (m, id) => (teacher(id) ? `教师「${teacher(id)!.name}」` : m))
    .replace(/（课次 (\d+)）/g, (m, id) => {
      sessionId = Number(id)
      const s = names.sessions.find((x) => x.id === sessionId)
      return s ? `（与${describeSession(s)}的课次冲突）` : m
    })
  return { text, sessionId }
}

function kindOf(field: string, message: string): ProblemKind {
  if (message.includes('容量')) return 'capacity'
  if (message.includes('不可授课')) return 'unavailable'
  if (field === 'venueId') return 'venue'
  if (field === 'teacherId') return 'teacher'
  if (field === 'cadreId') return 'cadre'
  return 'other'
}

/** explainScheduleError explains a failed session creation or automatic scheduling. */
export function explainScheduleError(err: unknown, names: Names): Explained {
  if (!(err instanceof ApiError)) return { code: 'unknown', title: String(err), items: [] }
  const title = err.detail || err.title
  switch (err.code) {
    case 'schedule_conflict':
      return {
        code: err.code,
        title: '排课冲突，未保存：',
        items: err.errors.length
          ? err.errors.map((e) => ({ kind: kindOf(e.field, e.message), ...nameConflict(e.message, names) }))
          : [{ kind: 'other', text: title }],
      }
    case 'slot_not_allowed':
      return { code: err.code, title: '不在允许的上课时段，未保存：', items: [{ kind: 'slot', text: title.replace(/^不在允许的上课时段：/, '') }] }
    case 'schedule_infeasible':
      return { code: err.code, title: '无法完成自动排课：', items: [{ kind: 'infeasible', text: title.replace(/^无法完成排课：/, '') }] }
    default:
      return {
        code: err.code,
        title,
        items: err.errors.map((e) => ({ kind: 'field' as const, text: e.message })),
      }
  }
}
