import { describe, expect, it } from 'vitest'
import { addDays, clockOf, dateOf, instant, isRestDay, monthGrid, overlaps, resourceRows, sessionsByDay, shiftAnchor, todayInSchool, viewRange, weekDays, weekStart, weekday } from '@/school/calendar'
import type { ClassSession } from '@/api/school'

const s = (id: number, start: string, end: string, venueId: number | null, teacherId: number | null, extra: Partial<ClassSession> = {}): ClassSession => ({
  id, courseId: 1, startsAt: start, endsAt: end, venueId, teacherId, ...extra,
})

describe('calendar dates', () => {
  it('moves across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })
  it('starts weeks on Monday', () => {
    expect(weekday('2026-11-23')).toBe(1)
    expect(weekday('2026-11-29')).toBe(7)
    expect(weekStart('2026-11-29')).toBe('2026-11-23')
    expect(weekDays('2026-10-01')).toEqual(['2026-09-28', '2026-09-29', '2026-09-30', '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04'])
  })
  it('covers a month with whole weeks', () => {
    const g = monthGrid('2026-11-15')
    expect(g[0][0]).toBe('2026-10-26')
    expect(g[g.length - 1][6]).toBe('2026-12-06')
    expect(g.every((w) => w.length === 7)).toBe(true)
    expect(monthGrid('2027-02-10').length).toBe(4) // February 2027 starts on a Monday
    expect(viewRange('month', '2026-11-15')).toEqual({ from: '2026-10-26', to: '2026-12-06' })
    expect(viewRange('week', '2026-11-25')).toEqual({ from: '2026-11-23', to: '2026-11-29' })
  })
  it('shifts the anchor by a week or a month', () => {
    expect(shiftAnchor('week', '2026-11-23', 1)).toBe('2026-11-30')
    expect(shiftAnchor('month', '2026-01-31', -1)).toBe('2025-12-01')
    expect(shiftAnchor('month', '2026-12-05', 1)).toBe('2027-01-01')
  })
  it('reads instants as written, in the school zone', () => {
    expect(dateOf('2026-09-01T18:30:00+08:00')).toBe('2026-09-01')
    expect(clockOf('2026-09-01T18:30:00+08:00')).toBe('18:30')
    expect(instant('2026-09-01', '08:30')).toBe('2026-09-01T08:30:00+08:00')
    expect(todayInSchool(new Date('2026-11-22T17:00:00Z'))).toBe('2026-11-23')
  })
  it('knows rest days; a 调休 make-up day is a workday', () => {
    expect(isRestDay('holiday')).toBe(true)
    expect(isRestDay('weekend')).toBe(true)
    expect(isRestDay('makeup_workday')).toBe(false)
    expect(isRestDay(undefined)).toBe(false)
  })
})

describe('week layout', () => {
  const days = weekDays('2026-09-01')
  const list = [
    s(2, '2026-09-01T18:30:00+08:00', '2026-09-01T21:30:00+08:00', 3, 1, { venueName: '第三教室' }),
    s(1, '2026-09-01T08:30:00+08:00', '2026-09-01T12:00:00+08:00', 3, 2),
    s(3, '2026-09-02T18:30:00+08:00', '2026-09-02T21:30:00+08:00', 1, 1),
    s(4, '2026-09-09T18:30:00+08:00', '2026-09-09T21:30:00+08:00', 1, 1), // next week
    s(5, '2026-09-03T18:30:00+08:00', '2026-09-03T21:30:00+08:00', null, 1),
  ]
  it('puts sessions in their venue row and day cell, in time order', () => {
    const rows = resourceRows(list, [{ id: 1, name: '第一报告厅' }, { id: 3, name: '第三教室' }, { id: 4, name: '研讨室A' }], 'venue', days)
    expect(rows.map((r) => r.id)).toEqual([1, 3, 4, 0])
    const third = rows.find((r) => r.id === 3)!
    expect(third.cells['2026-09-01'].map((x) => x.id)).toEqual([1, 2])
    expect(rows.find((r) => r.id === 1)!.count).toBe(1) // session 4 is outside the week
    expect(rows.find((r) => r.id === 4)!.count).toBe(0) // empty venues keep their row
    expect(rows.find((r) => r.id === 0)!.cells['2026-09-03'][0].id).toBe(5)
  })
  it('lays out by teacher too, naming unknown teachers by number', () => {
    const rows = resourceRows(list, [{ id: 1, name: '王建华' }], 'teacher', days)
    expect(rows.map((r) => [r.id, r.count])).toEqual([[1, 3], [2, 1]])
    expect(rows[1].name).toBe('#2')
  })
  it('groups by day and detects overlaps', () => {
    const by = sessionsByDay(list)
    expect(by['2026-09-01'].map((x) => x.id)).toEqual([1, 2])
    expect(overlaps(list[0], { startsAt: '2026-09-01T20:00:00+08:00', endsAt: '2026-09-01T22:00:00+08:00' })).toBe(true)
    expect(overlaps(list[0], { startsAt: '2026-09-01T21:30:00+08:00', endsAt: '2026-09-01T22:00:00+08:00' })).toBe(false)
  })
})
