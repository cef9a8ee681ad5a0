import { describe, expect, it } from 'vitest'
import type { ClassSession, CourseEnrollment } from '@/api/school'
import { canCancel, halfHours, isUnchanged, moveFormOf, movePatch, slotTimes, splitEnrollments } from '@/school/sessionEdit'

const session: ClassSession = {
  id: 7, courseId: 2, courseTitle: '群众工作', startsAt: '2026-12-01T18:30:00+08:00', endsAt: '2026-12-01T21:30:00+08:00', venueId: 3, teacherId: 5,
}
const slots = ['18:30-21:30', '08:30-11:30', '14:00-17:00']

describe('moving a session', () => {
  it('prefills the dialog with the session’s date, slot, venue and teacher', () => {
    expect(moveFormOf(session, slots)).toEqual({ date: '2026-12-01', slot: '18:30-21:30', start: '18:30', end: '21:30', venueId: 3, teacherId: 5 })
  })
  it('falls back to a custom time when the session is in no slot, and leaves missing venue and teacher empty', () => {
    const f = moveFormOf({ ...session, startsAt: '2026-12-01T19:00:00+08:00', venueId: null, teacherId: null }, slots)
    expect(f).toMatchObject({ slot: 'custom', start: '19:00', end: '21:30', venueId: undefined, teacherId: undefined })
  })
  it('builds the PATCH body in the school’s zone; a slot wins over start and end', () => {
    expect(movePatch({ date: '2026-12-03', slot: '18:30-21:30', start: '09:00', end: '10:00', venueId: 4, teacherId: 5 })).toEqual({
      startsAt: '2026-12-03T18:30:00+08:00', endsAt: '2026-12-03T21:30:00+08:00', venueId: 4, teacherId: 5,
    })
    expect(movePatch({ date: '2026-12-05', slot: 'custom', start: '09:00', end: '11:30' })).toEqual({
      startsAt: '2026-12-05T09:00:00+08:00', endsAt: '2026-12-05T11:30:00+08:00',
    })
  })
  it('leaves out a venue or teacher not chosen (the server keeps them)', () => {
    const p = movePatch({ date: '2026-12-03', slot: '18:30-21:30', start: '', end: '', venueId: undefined, teacherId: 0 })
    expect('venueId' in p).toBe(false)
    expect('teacherId' in p).toBe(false)
  })
  it('tells a patch that changes nothing', () => {
    expect(isUnchanged(session, movePatch(moveFormOf(session, slots)))).toBe(true)
    expect(isUnchanged(session, { startsAt: '2026-12-01T10:30:00Z', endsAt: '2026-12-01T13:30:00Z' })).toBe(true)
    expect(isUnchanged(session, { ...movePatch(moveFormOf(session, slots)), venueId: 4 })).toBe(false)
    expect(isUnchanged(session, { ...movePatch(moveFormOf(session, slots)), teacherId: 6 })).toBe(false)
    expect(isUnchanged(session, movePatch({ ...moveFormOf(session, slots), date: '2026-12-02' }))).toBe(false)
  })
  it('reads slots and offers half-hour clock times', () => {
    expect(slotTimes('08:30-11:30')).toEqual(['08:30', '11:30'])
    expect(slotTimes('custom')).toBeNull()
    const h = halfHours()
    expect([h[0], h[1], h[h.length - 1], h.length]).toEqual(['07:00', '07:30', '22:00', 31])
  })
})

describe('cancelling a session', () => {
  it('only a session still to come can be cancelled', () => {
    const now = new Date('2026-12-01T10:00:00Z') // 18:00 in the school's zone
    expect(canCancel(session, now)).toBe(true)
    expect(canCancel(session, new Date('2026-12-01T10:30:00Z'))).toBe(false)
    expect(canCancel(session, new Date('2026-12-02T00:00:00Z'))).toBe(false)
  })
})

describe('the attendance sheet’s roster', () => {
  const e = (id: number, status: string, position?: number): CourseEnrollment => ({ id, courseId: 2, cadreId: 100 + id, status, position, name: `干部${id}`, orgName: '某县' })
  it('puts enrolled cadres on the sheet in the server’s order and the waiting list apart by position', () => {
    const r = splitEnrollments([e(3, 'enrolled'), e(1, 'enrolled'), e(5, 'waitlisted', 2), e(4, 'waitlisted', 1), e(6, 'waitlisted'), e(9, 'withdrawn')])
    expect(r.enrolled.map((x) => x.id)).toEqual([3, 1])
    expect(r.waitlisted.map((x) => x.id)).toEqual([4, 5, 6])
  })
  it('handles an empty list', () => {
    expect(splitEnrollments([])).toEqual({ enrolled: [], waitlisted: [] })
  })
})
