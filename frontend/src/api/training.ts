import { http } from './http'

export interface Requirement {
  hours: number
  years: number
  label: string
  windowFrom: string
  windowTo: string
  centralizedHours: number
  met: boolean
}

export interface YearHours {
  year: number
  total: number
  centralized: number
  byKind: Record<string, number>
}

export interface LedgerEntry {
  id: number
  courseTitle: string
  schoolName: string
  kind: string
  kindName: string
  recognized: boolean
  countsAsCentralized: boolean
  hours: number
  from: string
  to: string
  year: number
}

export interface TrainingRecord {
  cadreId: number
  requirement: Requirement
  years: YearHours[]
  records: LedgerEntry[]
}

export interface CalendarEvent {
  summary: string
  location: string
  start: string
  end: string
}

/** parseIcs reads the VEVENTs of an RFC 5545 calendar (unfolding continuation lines). */
export function parseIcs(text: string): CalendarEvent[] {
  const lines = text.replace(/\r\n[ \t]/g, '').split(/\r?\n/)
  const out: CalendarEvent[] = []
  let cur: CalendarEvent | null = null
  const unescape = (s: string) => s.replace(/\\n/gi, ' ').replace(/\\([,;\\])/g, '$1')
  const toIso = (v: string) => {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?/.exec(v)
    if (!m) return v
    return m[4] ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}` : `${m[1]}-${m[2]}-${m[3]}`
  }
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') cur = { summary: '', location: '', start: '', end: '' }
    else if (line === 'END:VEVENT') {
      if (cur) out.push(cur)
      cur = null
    } else if (cur) {
      const i = line.indexOf(':')
      if (i < 0) continue
      const name = line.slice(0, i).split(';')[0]
      const value = line.slice(i + 1)
      if (name === 'SUMMARY') cur.summary = unescape(value)
      else if (name === 'LOCATION') cur.location = unescape(value)
      else if (name === 'DTSTART') cur.start = toIso(value)
      else if (name === 'DTEND') cur.end = toIso(value)
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start))
}

export const trainingApi = {
  mine: () => http.get<TrainingRecord>('/me/training'),
  myCalendar: async () => parseIcs(await http.get<string>('/me/calendar.ics', undefined, { responseType: 'text' })),
}
