import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { schoolApi, type CalendarDay, type ClassSession, type Course, type Teacher, type Venue } from '@/api/school'
import { byStart, dayKinds } from '@/school/calendar'

/**
 * useSchoolStore holds the scheduler's school: venues, teachers, courses and every session of
 * those courses (the server lists sessions per course), plus the calendar day kinds loaded so far.
 */
export const useSchoolStore = defineStore('school', () => {
  const venues = ref<Venue[]>([])
  const teachers = ref<Teacher[]>([])
  const courses = ref<Course[]>([])
  const sessions = ref<ClassSession[]>([])
  const days = ref<Record<string, CalendarDay>>({})
  const loaded = ref(false)
  const loading = ref(false)

  const venueName = computed(() => new Map(venues.value.map((v) => [v.id, v.name])))
  const teacherName = computed(() => new Map(teachers.value.map((t) => [t.id, t.name])))
  const courseById = computed(() => new Map(courses.value.map((c) => [c.id, c])))

  /** withNames fills the names a session lacks from the loaded venues, teachers and courses. */
  function withNames(s: ClassSession): ClassSession {
    return {
      ...s,
      courseTitle: s.courseTitle || courseById.value.get(s.courseId)?.title,
      venueName: s.venueName || (s.venueId ? venueName.value.get(s.venueId) : undefined),
      teacherName: s.teacherName || (s.teacherId ? teacherName.value.get(s.teacherId) : undefined),
    }
  }

  async function loadSessions(): Promise<void> {
    const lists = await Promise.all(courses.value.map((c) => schoolApi.sessions(c.id)))
    sessions.value = lists.flat().map(withNames).sort(byStart)
  }

  /** load fetches venues, teachers, courses and all sessions (again when force). */
  async function load(force = false): Promise<void> {
    if (loaded.value && !force) return
    loading.value = true
    try {
      const [v, t, c] = await Promise.all([schoolApi.venues(), schoolApi.teachers(), schoolApi.courses()])
      venues.value = v
      teachers.value = t
      courses.value = c
      await loadSessions()
      loaded.value = true
    } finally {
      loading.value = false
    }
  }

  /** loadDays fetches the day kinds (workday, weekend, holiday, 调休 make-up workday) of a range. */
  async function loadDays(from: string, to: string): Promise<void> {
    days.value = { ...days.value, ...dayKinds(await schoolApi.days(from, to)) }
  }

  function addSession(s: ClassSession): void {
    sessions.value = [...sessions.value.filter((x) => x.id !== s.id), withNames(s)].sort(byStart)
  }

  /** removeSession drops a cancelled session. */
  function removeSession(id: number): void {
    sessions.value = sessions.value.filter((x) => x.id !== id)
  }

  /** replaceCourseSessions puts a course's sessions in place of the ones held (after scheduling). */
  function replaceCourseSessions(courseId: number, list: ClassSession[]): void {
    sessions.value = [...sessions.value.filter((x) => x.courseId !== courseId), ...list.map(withNames)].sort(byStart)
  }

  function upsert<T extends { id: number }>(list: T[], x: T): T[] {
    return [...list.filter((y) => y.id !== x.id), x]
  }
  const addVenue = (v: Venue) => (venues.value = upsert(venues.value, v))
  const addTeacher = (t: Teacher) => (teachers.value = upsert(teachers.value, t))
  const addCourse = (c: Course) => (courses.value = upsert(courses.value, c))

  return {
    venues, teachers, courses, sessions, days, loaded, loading, courseById,
    load, loadSessions, loadDays, addSession, removeSession, replaceCourseSessions, addVenue, addTeacher, addCourse, withNames,
  }
})
