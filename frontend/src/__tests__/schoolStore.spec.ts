import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api/school', () => ({
  schoolApi: {
    venues: vi.fn(async () => [{ id: 3, schoolId: 3, name: '第三教室', capacity: 60, address: '' }]),
    teachers: vi.fn(async () => [{ id: 1, schoolId: 3, name: '王建华', title: '', disciplines: [], topics: [], unavailable: [] }]),
    courses: vi.fn(async () => [
      { id: 1, title: '专题一', sessions: 2 },
      { id: 2, title: '专题二', sessions: 1 },
    ]),
    sessions: vi.fn(async (id: number) =>
      id === 1
        ? [{ id: 11, courseId: 1, startsAt: '2026-09-08T18:30:00+08:00', endsAt: '2026-09-08T21:30:00+08:00', venueId: 3, teacherId: 1 }]
        : [{ id: 21, courseId: 2, startsAt: '2026-09-01T18:30:00+08:00', endsAt: '2026-09-01T21:30:00+08:00', venueId: 3, teacherId: 1, courseTitle: '专题二' }],
    ),
    days: vi.fn(async () => [{ date: '2026-10-10', kind: 'makeup_workday', name: '国庆节' }]),
  },
}))

import { useSchoolStore } from '@/stores/school'
import { schoolApi } from '@/api/school'

describe('school store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('loads every course’s sessions in time order with names filled in', async () => {
    const s = useSchoolStore()
    await s.load()
    expect(s.sessions.map((x) => x.id)).toEqual([21, 11])
    expect(s.sessions[1]).toMatchObject({ courseTitle: '专题一', venueName: '第三教室', teacherName: '王建华' })
    await s.load()
    expect(schoolApi.courses).toHaveBeenCalledTimes(1)
  })

  it('adds a session and replaces a course’s sessions after scheduling', async () => {
    const s = useSchoolStore()
    await s.load(true)
    s.addSession({ id: 12, courseId: 1, startsAt: '2026-08-30T18:30:00+08:00', endsAt: '2026-08-30T21:30:00+08:00', venueId: 3, teacherId: null })
    expect(s.sessions[0]).toMatchObject({ id: 12, courseTitle: '专题一', venueName: '第三教室' })
    s.replaceCourseSessions(1, [{ id: 13, courseId: 1, startsAt: '2026-09-15T18:30:00+08:00', endsAt: '2026-09-15T21:30:00+08:00', venueId: 3, teacherId: 1 }])
    expect(s.sessions.map((x) => x.id)).toEqual([21, 13])
  })

  it('replaces a moved session in time order and drops a cancelled one', async () => {
    const s = useSchoolStore()
    await s.load(true)
    s.addSession({ id: 21, courseId: 2, startsAt: '2026-09-10T18:30:00+08:00', endsAt: '2026-09-10T21:30:00+08:00', venueId: 3, teacherId: 1 })
    expect(s.sessions.map((x) => x.id)).toEqual([11, 21])
    s.removeSession(11)
    expect(s.sessions.map((x) => x.id)).toEqual([21])
  })

  it('keeps the day kinds it loaded', async () => {
    const s = useSchoolStore()
    await s.loadDays('2026-10-01', '2026-10-31')
    expect(s.days['2026-10-10'].kind).toBe('makeup_workday')
  })
})
