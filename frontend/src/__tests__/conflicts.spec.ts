import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/http'
import { describeSession, explainScheduleError, nameConflict, type Names } from '@/school/conflicts'

const names: Names = {
  venues: [{ id: 3, name: '第三教室' }],
  teachers: [{ id: 6, name: '孙丽' }],
  sessions: [{ id: 1, courseId: 1, courseTitle: '习近平新时代中国特色社会主义思想专题', startsAt: '2026-09-01T18:30:00+08:00', endsAt: '2026-09-01T21:30:00+08:00', venueId: 3, teacherId: 1 }],
}

describe('conflict messages', () => {
  it('names the venue and the session it clashes with', () => {
    const r = nameConflict('教室 3 在该时间已有课（课次 1）', names)
    expect(r.text).toBe('教室「第三教室」在该时间已有课（与「习近平新时代中国特色社会主义思想专题」2026-09-01 18:30–21:30的课次冲突）')
    expect(r.sessionId).toBe(1)
  })
  it('keeps numbers it cannot name', () => {
    expect(nameConflict('已报名学员（干部 1）在该时间已有其他课程（课次 9）', names).text).toBe('已报名学员（干部 1）在该时间已有其他课程（课次 9）')
    expect(nameConflict('教师 6 在该时间不可授课', names).text).toBe('教师「孙丽」在该时间不可授课')
  })
  it('describes a session', () => {
    expect(describeSession({ ...names.sessions[0], courseTitle: undefined })).toBe('「课程 1」2026-09-01 18:30–21:30')
  })
})

describe('explainScheduleError', () => {
  it('lists every conflict of a 409 with its kind', () => {
    const err = new ApiError(409, 'schedule_conflict', '冲突', '排课冲突：…', [
      { field: 'venueId', message: '教室 3 在该时间已有课（课次 1）' },
      { field: 'cadreId', message: '已报名学员（干部 1）在该时间已有其他课程（课次 9）' },
      { field: 'venueId', message: '教室 3 容量不足以容纳已报名学员' },
      { field: 'teacherId', message: '教师 6 在该时间不可授课' },
    ])
    const e = explainScheduleError(err, names)
    expect(e.code).toBe('schedule_conflict')
    expect(e.items.map((i) => i.kind)).toEqual(['venue', 'cadre', 'capacity', 'unavailable'])
    expect(e.items[0].sessionId).toBe(1)
  })
  it('gives the reason of a slot refusal and of an infeasible schedule', () => {
    const slot = explainScheduleError(new ApiError(422, 'slot_not_allowed', '无法处理', '不在允许的上课时段：2026-12-01（工作日）是工作日，只能在晚间时段 18:30-21:30 内上课'), names)
    expect(slot.items).toEqual([{ kind: 'slot', text: '2026-12-01（工作日）是工作日，只能在晚间时段 18:30-21:30 内上课' }])
    const inf = explainScheduleError(new ApiError(422, 'schedule_infeasible', '无法处理', '无法完成排课：可用时段不足'), names)
    expect(inf.items[0]).toEqual({ kind: 'infeasible', text: '可用时段不足' })
  })
  it('falls back to the detail and field messages', () => {
    const e = explainScheduleError(new ApiError(400, 'validation_failed', '请求无效', '校验未通过', [{ field: 'from', message: 'from 与 to 必填' }]), names)
    expect(e.title).toBe('校验未通过')
    expect(e.items).toEqual([{ kind: 'field', text: 'from 与 to 必填' }])
    expect(explainScheduleError(new Error('x'), names).code).toBe('unknown')
  })
})
