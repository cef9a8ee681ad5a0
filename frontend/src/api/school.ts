// Training-school scheduling: venues, teachers, courses, sessions, enrolment, attendance, credit.
import { http } from './http'

export interface Venue { id: number; schoolId: number; name: string; capacity: number; address: string }
export interface Interval { start: string; end: string }
export interface Teacher {
  id: number; schoolId: number; name: string; title: string; disciplines: string[]; topics: string[]; unavailable: Interval[]
}
export interface Outline { topics: string[]; readings: string[]; questions: string[] }
export type CourseKind = 'full_time' | 'centralized' | 'online' | 'self_study'
export interface Course {
  id: number; schoolId: number; code: string; title: string; kind: CourseKind | string; kindName: string
  targetLevels: string[]; targetCategories: string[]; plannedHours: number; sessions: number; capacity: number
  maxPerWeek: number; teacherId: number | null; venueId: number | null; outline: Outline; creditedAt: string | null
}
export interface CourseInput {
  code: string; title: string; kind: CourseKind; targetLevels: string[]; targetCategories: string[]; plannedHours: number
  sessions: number; capacity: number; maxPerWeek: number; teacherId?: number | null; venueId?: number | null; outline: Outline
}
export interface ClassSession {
  id: number; courseId: number; courseTitle?: string; startsAt: string; endsAt: string
  venueId: number | null; venueName?: string; teacherId: number | null; teacherName?: string
}
export interface SessionInput { courseId: number; startsAt: string; endsAt: string; venueId: number; teacherId: number }
export interface ScheduleResult { sessions: ClassSession[]; kept: number; added: number; removed: number }
export interface Enrollment { id: number; courseId: number; cadreId: number; status: string; position?: number }
/** CourseEnrollment is one line of a course's enrolment list: the cadre's name and unit included. */
export interface CourseEnrollment extends Enrollment { status: 'enrolled' | 'waitlisted' | string; name: string; orgName: string }
/** SessionPatch moves a session; venue and teacher stay as they are when left out. */
export interface SessionPatch { startsAt: string; endsAt: string; venueId?: number; teacherId?: number }
export interface AttendanceMark { cadreId: number; present: boolean }
export interface CreditLine {
  cadreId: number; courseHours: number; attended: number; leave: number; eligible: boolean
  credited: { year: number; hours: number; from: string; to: string }[]
}
export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday'
export interface CalendarDay { date: string; kind: DayKind; name?: string }
export interface School {
  orgId: number; name: string; recognized: boolean; eveningSlots: string[]; daySlots: string[]; keepFree: string[]; maxPerWeek: number
}

export const schoolApi = {
  school: (id: number) => http.get<School>(`/schools/${id}`),
  days: (from: string, to: string) => http.get<CalendarDay[]>('/calendar/days', { from, to }),
  venues: () => http.get<Venue[]>('/venues'),
  createVenue: (v: { name: string; capacity: number; address: string }) => http.post<Venue>('/venues', v, { silent: true }),
  teachers: () => http.get<Teacher[]>('/teachers'),
  createTeacher: (t: { name: string; title: string; disciplines: string[]; topics: string[]; unavailable: Interval[] }) =>
    http.post<Teacher>('/teachers', t, { silent: true }),
  courses: () => http.get<Course[]>('/courses'),
  createCourse: (c: CourseInput) => http.post<Course>('/courses', c, { silent: true }),
  sessions: (courseId: number) => http.get<ClassSession[]>(`/courses/${courseId}/sessions`),
  /** createSession is silent: the caller shows conflicts and slot reasons in place. */
  createSession: (s: SessionInput) => http.post<ClassSession>('/sessions', s, { silent: true }),
  /** moveSession is silent like createSession: conflicts, slot reasons and refusals are shown in place. */
  moveSession: (id: number, p: SessionPatch) => http.patch<ClassSession>(`/sessions/${id}`, p, { silent: true }),
  /** cancelSession is silent: the caller shows why a session cannot be cancelled. */
  cancelSession: (id: number) => http.del<void>(`/sessions/${id}`, { silent: true }),
  enrollments: (courseId: number) => http.get<CourseEnrollment[]>(`/courses/${courseId}/enrollments`),
  schedule: (courseId: number, from: string, to: string) => http.post<ScheduleResult>(`/courses/${courseId}/schedule`, { from, to }, { silent: true }),
  enroll: (courseId: number, cadreId: number) => http.post<Enrollment>(`/courses/${courseId}/enrollments`, { cadreId }, { silent: true }),
  attendance: (sessionId: number, marks: AttendanceMark[]) => http.post<{ sessionId: number; cadreId: number; present: boolean }[]>(`/sessions/${sessionId}/attendance`, marks),
  credit: (courseId: number) => http.post<CreditLine[]>(`/courses/${courseId}/credit`),
}
