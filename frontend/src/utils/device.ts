const KEY = 'qualify.deviceId'

/** deviceId is this browser's stable identifier for exam sittings (X-Device-ID). */
export function deviceId(): string {
  let id = localStorage.getItem(KEY)
  if (!id) {
    id = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `d-${Date.now()}-${Math.random().toString(36).slice(2)}`
    localStorage.setItem(KEY, id)
  }
  return id
}
