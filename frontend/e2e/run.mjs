// Browser test: starts the built Go binary (bin/qualify, or $QUALIFY_BIN) on a temporary SQLite
// database with the demo data, drives Debian's Chromium through playwright-core, and checks that
// answers given while offline reach the server. Builds nothing: run `make build` first.
// Screenshots go to test-artifacts/ at the repository root.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const bin = process.env.QUALIFY_BIN || join(root, 'bin', 'qualify')
const chromePath = process.env.CHROMIUM || '/usr/bin/chromium'
const artifacts = join(root, 'test-artifacts')
const PASSWORD = 'Qualify@2026'
let passed = 0

// Dates in the future, whatever today is: the first Tuesday of the first month that starts at
// least ten days from now (a working day with an evening slot), and days counted from it.
function futureDays() {
  const now = new Date()
  const m = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
  if ((m - now) / 86400000 < 10) m.setUTCMonth(m.getUTCMonth() + 1)
  while (m.getUTCDay() !== 2) m.setUTCDate(m.getUTCDate() + 1)
  const fmt = (d) => d.toISOString().slice(0, 10)
  const plus = (n) => { const d = new Date(m); d.setUTCDate(d.getUTCDate() + n); return fmt(d) }
  const end = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 0))
  return { d1: fmt(m), plus, monthEnd: fmt(end) }
}
const FD = futureDays()
let failed = 0

if (!existsSync(chromePath)) {
  console.log(`e2e: ${chromePath} not found; browser tests skipped`)
  process.exit(0)
}
if (!existsSync(bin)) {
  console.error(`e2e: ${bin} not found; run \`make build\` first`)
  process.exit(1)
}
mkdirSync(artifacts, { recursive: true })

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

function check(name, cond, extra = '') {
  if (cond) {
    passed++
    console.log(`  ok  ${name}`)
  } else {
    failed++
    console.log(`  FAIL ${name} ${extra}`)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'qualify-e2e-'))
const port = await freePort()
const base = `http://127.0.0.1:${port}`
const env = { ...process.env, QUALIFY_DATA_DIR: dir, QUALIFY_DATABASE_URL: `sqlite://${join(dir, 'qualify.db')}`, QUALIFY_ADDR: `127.0.0.1:${port}` }
const demo = spawnSync(bin, ['demo', '--password', PASSWORD], { env, cwd: dir, encoding: 'utf8' })
if (demo.status !== 0) {
  console.error(demo.stdout, demo.stderr)
  process.exit(1)
}
const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`], { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
let serverErr = ''
server.stderr.on('data', (d) => (serverErr += d))

async function waitReady() {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${base}/readyz`)
      if (r.ok) return
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error('server did not start: ' + serverErr)
}

async function api(token, path, init = {}) {
  const r = await fetch(base + '/api/v1' + path, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers || {}) } })
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`)
  return r.json()
}

async function login(username) {
  const r = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
  return (await r.json()).accessToken
}

/** pick opens an Element Plus select and clicks the option whose text contains text (typing it first when filterable). */
async function pick(page, selector, text, type = false) {
  await page.click(selector)
  if (type) await page.keyboard.type(type === true ? text : type)
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await opt.waitFor({ timeout: 5000 })
  await opt.click()
}

async function uiLogin(page, username) {
  await page.goto(base + '/login')
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', PASSWORD)
  await page.click('[data-test=login-submit]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

async function personnelJourney() {
  console.log('personnel1 runs promotion checks and reads the reasons')
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  const errs = []
  page.on('pageerror', (e) => errs.push(e.message))
  await uiLogin(page, 'personnel1')
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('qualify.session')).accessToken)
  const elg = (await api(token, '/cadres?q=ELG')).items
  check('demo cadres ELG001..ELG005 are found', elg.length >= 5)
  const ladder = await api(token, '/ladder')
  const level = ladder.levels.find((l) => l.code === 'county_deputy').name
  const category = ladder.categories.find((c) => c.code === 'party_government_leader').name
  await page.goto(base + '/personnel/eligibility')
  await page.click('[data-test=elig-run]')
  check('the check form validates before sending', await page.locator('.el-form-item__error').first().waitFor({ timeout: 3000 }).then(() => true, () => false))

  async function runCheck(code) {
    await pick(page, '[data-test=elig-cadre]', code, true)
    await pick(page, '[data-test=elig-level]', level)
    await pick(page, '[data-test=elig-category]', category)
    const answered = page.waitForResponse((r) => r.url().includes('/eligibility/checks') && r.request().method() === 'POST')
    await page.click('[data-test=elig-run]')
    await answered
    await page.waitForSelector('[data-test=eligibility-result]')
    await page.waitForSelector('[data-test=elig-run]:not(.is-loading)')
    await page.waitForTimeout(300)
  }
  await runCheck('ELG001')
  check('ELG001 is eligible for 县处级副职 / 党政领导', (await page.textContent('[data-test=elig-verdict]')).includes('符合任职资格') && !(await page.textContent('[data-test=elig-verdict]')).includes('不符合'))
  const rows = page.locator('[data-test=elig-rules] .el-table__body tr')
  const n = await rows.count()
  let complete = 0
  for (let i = 0; i < n; i++) {
    const cells = await rows.nth(i).locator('td').allTextContents()
    if (cells[0].trim() && cells[1].trim() && cells[2].trim() && cells[3].trim()) complete++
  }
  check(`every rule shows its verdict, reason and basis (${complete}/${n})`, n >= 5 && complete === n)
  await page.screenshot({ path: join(artifacts, '08-eligibility-eligible.png'), fullPage: true })
  await runCheck('ELG002')
  const verdict = await page.textContent('[data-test=elig-verdict]')
  const table = await page.textContent('[data-test=elig-rules]')
  check('ELG002 is not eligible and the reason names the missing certificates', verdict.includes('不符合') && table.includes('不符合') && /证书/.test(table), verdict)
  await page.screenshot({ path: join(artifacts, '09-eligibility-missing-certificates.png'), fullPage: true })

  await page.goto(base + '/personnel/compliance')
  await page.waitForSelector('[data-test=compliance-table] .el-table__body tr')
  check('the overdue compliance list shows cadres', (await page.locator('[data-test=compliance-table] .el-table__body tr').count()) > 0)
  await page.screenshot({ path: join(artifacts, '10-compliance.png') })
  check('no page errors (personnel)', errs.length === 0, errs.join('; '))
  await ctx.close()
}

async function schoolJourney() {
  console.log('school1 schedules sessions, meets a conflict and auto-schedules a course')
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  const errs = []
  page.on('pageerror', (e) => errs.push(e.message))
  await uiLogin(page, 'school1')
  await page.waitForURL('**/school/calendar')
  await page.waitForSelector('[data-test=week]')
  check('menus follow permissions (school sees no exam or personnel pages)', (await page.locator('.el-menu-item', { hasText: '考试管理' }).count()) === 0 && (await page.locator('.el-menu-item', { hasText: '任职资格核查' }).count()) === 0)

  // A week with a holiday and a 调休 make-up workday: 2026-10-05 .. 2026-10-11.
  await page.fill('[data-test=anchor] input', '2026-10-08')
  await page.keyboard.press('Enter')
  await page.waitForSelector('[data-test=week] th.holiday .el-tag')
  await page.waitForTimeout(200)
  check('holidays and 调休 make-up workdays are marked', (await page.locator('[data-test=week] thead th.holiday').count()) >= 1 && (await page.locator('[data-test=week] thead th.makeup').count()) === 1)
  await page.screenshot({ path: join(artifacts, '11-school-week.png') })

  async function fillSession(date, venue) {
    await page.fill('[data-test=session-date] input', date)
    await page.keyboard.press('Enter')
    await pick(page, '[data-test=session-venue]', venue)
  }
  await page.click('[data-test=new-session]')
  await page.waitForSelector('[data-test=session-save]')
  await page.click('[data-test=session-save]')
  check('the session form validates before sending', await page.locator('[data-test=session-dialog] .el-form-item__error').first().waitFor({ timeout: 3000 }).then(() => true, () => false))
  await pick(page, '[data-test=session-course]', '2026Q-06')
  await fillSession('2026-09-01', '第三教室')
  await page.click('[data-test=session-save]')
  await page.waitForSelector('[data-test=schedule-problem]')
  await page.waitForTimeout(400)
  const problem = await page.textContent('[data-test=schedule-problem]')
  check('a venue clash is refused and explained in place', problem.includes('第三教室') && problem.includes('冲突') && problem.includes('习近平新时代'), problem)
  await page.screenshot({ path: join(artifacts, '12-school-conflict.png') })

  await fillSession(FD.d1, '第一报告厅')
  await page.click('[data-test=session-slot] label:has-text("08:30")')
  await page.click('[data-test=session-save]')
  await page.waitForFunction(() => (document.querySelector('[data-test=schedule-problem]')?.textContent || '').includes('时段'))
  check('a daytime session on a workday is refused with the reason', (await page.textContent('[data-test=schedule-problem]')).includes('晚间'))
  await page.click('[data-test=session-slot] label:has-text("18:30")')
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/sessions') && r.request().method() === 'POST')
  await page.click('[data-test=session-save]')
  const res = await created
  check('a free evening session is created', res.status() === 201, String(res.status()) + ' ' + (await res.text()))
  const createdId = (await res.json()).id
  await page.waitForSelector('[data-test=session-dialog]', { state: 'hidden' })
  await page.waitForSelector('[data-test=week] .chip.hl')
  check('the new session shows in the week', (await page.textContent('[data-test=week] .chip.hl')).includes('群众工作'))
  await page.screenshot({ path: join(artifacts, '13-school-created.png') })

  // A new course, then automatic scheduling (first an impossible window, then a feasible one).
  await page.click('.el-menu-item:has-text("课程与资源")')
  await page.click('[data-test=new-course]')
  await page.fill('[data-test=course-dialog] input[name=code]', 'E2E-01')
  await page.fill('[data-test=course-dialog] input[name=title]', '浏览器测试：基层治理专题')
  await page.fill('[data-test=course-dialog] input[name=sessions]', '3')
  await pick(page, '[data-test=course-teacher]', '孙丽')
  await page.click('[data-test=course-save]')
  await page.waitForSelector('.el-table__body td:has-text("E2E-01")')
  check('a course is created', true)
  await page.click('.el-menu-item:has-text("排课日历")')
  await page.waitForSelector('[data-test=week]')
  await page.click('[data-test=auto-schedule]')
  await pick(page, '[data-test=auto-course]', 'E2E-01')
  async function range(from, to) {
    const inputs = page.locator('[data-test=auto-range] input')
    await inputs.nth(0).fill(from)
    await inputs.nth(1).fill(to)
    await page.keyboard.press('Enter')
  }
  await range(FD.plus(6), FD.plus(7))
  await page.click('[data-test=auto-run]')
  await page.waitForSelector('[data-test=auto-problem]')
  check('an infeasible window is explained', (await page.textContent('[data-test=auto-problem]')).includes('无法完成'), await page.textContent('[data-test=auto-problem]'))
  await range(FD.d1, FD.monthEnd)
  await page.click('[data-test=auto-run]')
  await page.waitForSelector('[data-test=auto-result]')
  const summary = await page.textContent('[data-test=auto-result]')
  check('the course is scheduled automatically', summary.includes('新增 3'), summary)
  await page.screenshot({ path: join(artifacts, '14-school-auto-schedule.png') })
  await page.keyboard.press('Escape')
  await page.fill('[data-test=anchor] input', FD.d1)
  await page.keyboard.press('Enter')
  await page.click('[data-test=view-mode] label:has-text("月")')
  await page.waitForSelector('[data-test=month]')
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(artifacts, '15-school-month.png') })
  await page.locator('[data-test=month] td[data-date] .chip').first().click()
  const monthMenu = page.locator('.el-dropdown-menu:visible')
  await monthMenu.waitFor({ timeout: 5000 })
  check('a session in the month view offers 调整 and 取消课次', (await monthMenu.textContent()).includes('调整') && (await monthMenu.textContent()).includes('取消课次'))
  await page.waitForTimeout(400)
  await page.screenshot({ path: join(artifacts, '15b-school-month-actions.png') })
  await page.click('.page-title')
  await monthMenu.waitFor({ state: 'hidden', timeout: 5000 })
  await page.setViewportSize({ width: 768, height: 1024 })
  await page.click('[data-test=view-mode] label:has-text("周")')
  await page.waitForTimeout(400)
  await page.screenshot({ path: join(artifacts, '16-school-week-tablet.png') })
  check('the calendar page itself does not scroll sideways on a tablet', await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1))

  // Move the created session to another free evening, meet a conflict, then cancel it.
  await page.setViewportSize({ width: 1280, height: 860 })
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('qualify.session')).accessToken)
  const courses = await api(token, '/courses')
  const all = (await Promise.all(courses.map((c) => api(token, `/courses/${c.id}/sessions`).then((l) => l.map((x) => ({ ...x, code: c.code })))))).flat()
  const dayOf = (x) => x.startsAt.slice(0, 10)
  const busy = new Set(all.map(dayOf))
  let target = ''
  for (let d = 1; d <= 23 && !target; d++) {
    const date = FD.plus(d)
    const wd = new Date(date + 'T00:00:00Z').getUTCDay()
    if (wd >= 1 && wd <= 5 && !busy.has(date)) target = date
  }
  const venues = await api(token, '/venues')
  const occupied = all.find((x) => x.code === 'E2E-01' && x.venueId && x.id !== createdId)
  const occupiedVenue = venues.find((v) => v.id === occupied?.venueId)?.name
  check('the journey finds a free evening and an occupied venue to move onto', !!target && !!occupied && !!occupiedVenue, `${target} ${JSON.stringify(occupied)}`)

  async function openSessionMenu(id, item) {
    const chip = page.locator(`[data-test=week] .chip[data-session="${id}"]`)
    await chip.waitFor()
    await chip.click()
    const entry = page.locator('.el-dropdown-menu__item:visible', { hasText: item }).first()
    await entry.waitFor({ timeout: 5000 })
    await entry.click()
  }
  await page.fill('[data-test=anchor] input', FD.d1)
  await page.keyboard.press('Enter')
  await openSessionMenu(createdId, '调整')
  await page.waitForSelector('[data-test=move-dialog] [data-test=move-save]')
  const prefilledVenue = await page.textContent('[data-test=move-venue]')
  check('the move dialog is prefilled with the session’s date, slot and venue',
    (await page.inputValue('[data-test=move-date] input')) === FD.d1 && prefilledVenue.includes('第一报告厅') &&
      (await page.locator('[data-test=move-slot] label.is-active').textContent()).includes('18:30'), prefilledVenue)
  await page.fill('[data-test=move-date] input', target)
  await page.keyboard.press('Enter')
  const moved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${createdId}`) && r.request().method() === 'PATCH')
  await page.click('[data-test=move-save]')
  const mres = await moved
  check(`the session moves to another evening (${target})`, mres.status() === 200 && (await mres.json()).startsAt.startsWith(target), String(mres.status()))
  await page.waitForSelector('[data-test=move-dialog]', { state: 'hidden' })
  await page.waitForSelector(`[data-test=week] .chip.hl[data-session="${createdId}"]`)
  const colOf = (id) => page.evaluate((id) => {
    const td = document.querySelector(`[data-test=week] .chip[data-session="${id}"]`)?.closest('td')
    return td ? document.querySelectorAll('[data-test=week] thead th')[td.cellIndex]?.dataset.date : null
  }, id)
  check('the calendar shows the session on its new evening', (await colOf(createdId)) === target, String(await colOf(createdId)))

  await openSessionMenu(createdId, '调整')
  await page.waitForSelector('[data-test=move-dialog] [data-test=move-save]')
  await page.fill('[data-test=move-date] input', dayOf(occupied))
  await page.keyboard.press('Enter')
  const clock = occupied.startsAt.slice(11, 16)
  await page.click(`[data-test=move-slot] label:has-text("${clock}")`)
  await pick(page, '[data-test=move-venue]', occupiedVenue)
  const refused = page.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${createdId}`) && r.request().method() === 'PATCH')
  await page.click('[data-test=move-save]')
  const rres = await refused
  await page.waitForSelector('[data-test=move-problem]')
  await page.waitForTimeout(400)
  const moveProblem = await page.textContent('[data-test=move-problem]')
  check('moving onto an occupied venue and time is refused and explained in place',
    rres.status() === 409 && moveProblem.includes(occupiedVenue) && moveProblem.includes('冲突') && moveProblem.includes('浏览器测试'), moveProblem)
  await page.screenshot({ path: join(artifacts, '17-move-session.png') })
  const after = (await api(token, `/courses/${courses.find((c) => c.code === '2026Q-06').id}/sessions`)).find((x) => x.id === createdId)
  check('the refused move leaves the session where it was', after?.startsAt.startsWith(target), JSON.stringify(after))
  await page.click('[data-test=move-dialog] .el-dialog__footer button:has-text("取消")')
  await page.waitForSelector('[data-test=move-dialog]', { state: 'hidden' })

  await page.fill('[data-test=anchor] input', target)
  await page.keyboard.press('Enter')
  await openSessionMenu(createdId, '取消课次')
  await page.waitForSelector('.el-message-box')
  check('cancelling asks first and names the session', (await page.textContent('.el-message-box')).includes('群众工作'))
  const deleted = page.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${createdId}`) && r.request().method() === 'DELETE')
  await page.click('.el-message-box__btns .el-button--primary')
  check('the session is cancelled', (await deleted).status() === 204)
  await page.waitForSelector(`[data-test=week] .chip[data-session="${createdId}"]`, { state: 'detached' })
  const left = await api(token, `/courses/${courses.find((c) => c.code === '2026Q-06').id}/sessions`)
  check('the cancelled session is gone from the calendar and the server', !left.some((x) => x.id === createdId))

  // The attendance sheet lists the course's enrolled cadres by name and unit, from the server.
  await page.click('.el-menu-item:has-text("课程与资源")')
  await page.click('[data-test=manage-2026Q-06]')
  await page.waitForSelector('[data-test=roster] .el-table__body tr')
  const enrolledList = (await api(token, `/courses/${courses.find((c) => c.code === '2026Q-06').id}/enrollments`)).filter((e) => e.status === 'enrolled')
  const rosterText = await page.textContent('[data-test=roster]')
  check('the course panel shows the enrolled cadres with their units', enrolledList.length > 0 && enrolledList.every((e) => rosterText.includes(e.name) && rosterText.includes(e.orgName)), rosterText.slice(0, 200))
  check('the local-list notice is gone', !(await page.textContent('.el-drawer')).includes('本机记录'))
  await page.locator('[data-test=course-sessions] .el-table__body tr').first().locator('button:has-text("考勤")').click()
  await page.waitForSelector('[data-test=attendance-sheet] .el-table__body tr')
  await page.waitForTimeout(500)
  check('the attendance sheet names every enrolled cadre', (await page.locator('[data-test=attendance-sheet] .el-table__body tr').count()) === enrolledList.length)
  await page.screenshot({ path: join(artifacts, '18-attendance-sheet.png') })
  await page.keyboard.press('Escape')
  check('no page errors (school)', errs.length === 0, errs.join('; '))
  await ctx.close()
}

const browser = await chromium.launch({
  executablePath: chromePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  // playwright-core gives every launch a fresh temporary profile (it refuses --user-data-dir here)
})

try {
  await waitReady()
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(e.message))

  console.log('cadre001 sits an exam, partly offline')
  await page.goto(base + '/login')
  await page.click('[data-test=login-submit]')
  check('login form validates before sending', await page.getByText('请输入用户名').waitFor({ timeout: 5000 }).then(() => true, () => false))
  await page.fill('input[name=username]', 'cadre001')
  await page.fill('input[name=password]', PASSWORD)
  await page.click('[data-test=login-submit]')
  await page.waitForURL('**/home')
  await page.waitForSelector('[data-test^=start-]')
  await page.screenshot({ path: join(artifacts, '01-cadre-home.png') })
  await page.locator('[data-test^=start-]').first().click()
  await page.waitForURL('**/exam/*')
  await page.waitForSelector('[data-test=nav-1]')
  check('countdown shows', /\d:\d\d:\d\d/.test(await page.textContent('[data-test=countdown]')))

  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('qualify.session')).accessToken)
  const examId = Number(page.url().split('/exam/')[1])
  const mine = await api(token, '/me/exams')
  const attemptId = mine.find((e) => e.id === examId).lastAttemptId
  let attempt = await api(token, `/attempts/${attemptId}`)
  const expected = new Map()

  async function answer(i) {
    const q = attempt.questions[i]
    await page.click(`[data-test=nav-${i + 1}]`)
    await page.locator('#question-panel').focus()
    if (q.type === 'single' || q.type === 'true_false') {
      await page.keyboard.press('b')
      expected.set(q.itemId, q.type === 'single' ? 'B' : false)
    } else if (q.type === 'multiple') {
      await page.keyboard.press('a')
      await page.keyboard.press('c')
      expected.set(q.itemId, ['A', 'C'])
    } else if (q.type === 'fill_blank') {
      const inputs = page.locator(`section[data-item="${q.itemId}"] input`)
      const n = await inputs.count()
      const vals = []
      for (let b = 0; b < n; b++) {
        await inputs.nth(b).fill(`答案${b + 1}`)
        vals.push(`答案${b + 1}`)
      }
      await inputs.last().blur()
      expected.set(q.itemId, vals)
    } else {
      const text = `第 ${i + 1} 题的作答：坚持民主集中制。`
      await page.locator(`section[data-item="${q.itemId}"] textarea`).fill(text)
      await page.locator(`section[data-item="${q.itemId}"] textarea`).blur()
      expected.set(q.itemId, text)
    }
  }

  for (let i = 0; i < 3; i++) await answer(i)
  await page.waitForSelector(`[data-test=save-${attempt.questions[2].itemId}]:has-text("已保存")`)
  await page.screenshot({ path: join(artifacts, '02-exam-online.png') })

  await ctx.setOffline(true)
  for (let i = 3; i < 7; i++) await answer(i)
  await page.waitForSelector('[data-test=offline-banner]', { timeout: 15000 })
  check('offline state is visible', await page.isVisible('[data-test=offline-banner]'))
  await page.waitForTimeout(500)
  await page.screenshot({ path: join(artifacts, '03-exam-offline.png') })
  const queued = await page.evaluate((id) => JSON.parse(localStorage.getItem(`qualify.attempt.${id}.answers`)).pending.length, attemptId)
  check('offline answers are kept locally', queued >= 4, `pending=${queued}`)

  await ctx.setOffline(false)
  await page.waitForSelector('[data-test=offline-banner]', { state: 'detached', timeout: 20000 })
  await page.waitForFunction((id) => JSON.parse(localStorage.getItem(`qualify.attempt.${id}.answers`)).pending.length === 0, attemptId, { timeout: 20000 })
  await page.screenshot({ path: join(artifacts, '04-exam-back-online.png') })

  // An answer whose request fails is restored from local storage after a reload, then sent.
  await page.route('**/api/v1/attempts/*/answers/*', (r) => r.abort())
  await answer(7)
  await page.waitForSelector('[data-test=offline-banner]', { timeout: 15000 })
  await page.reload()
  await page.waitForSelector('[data-test=nav-8]')
  check('unsent answer survives a reload', await page.locator('[data-test=nav-8].answered').count() === 1)
  await page.unroute('**/api/v1/attempts/*/answers/*')
  await page.evaluate(() => window.dispatchEvent(new Event('online')))
  await page.waitForFunction((id) => JSON.parse(localStorage.getItem(`qualify.attempt.${id}.answers`) || '{"pending":[]}').pending.length === 0, attemptId, { timeout: 20000 })

  attempt = await api(token, `/attempts/${attemptId}`)
  let onServer = 0
  for (const q of attempt.questions) {
    if (!expected.has(q.itemId)) continue
    if (JSON.stringify(q.answer) === JSON.stringify(expected.get(q.itemId))) onServer++
    else console.log('   mismatch', q.itemId, JSON.stringify(q.answer), JSON.stringify(expected.get(q.itemId)))
  }
  check(`every answer is on the server (${onServer}/${expected.size})`, onServer === expected.size && expected.size === 8)

  // The same exam page on a tablet (768x1024, portrait).
  await page.setViewportSize({ width: 768, height: 1024 })
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(artifacts, '04b-exam-tablet.png') })
  check('exam page fits a tablet without sideways scrolling', await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1))
  await page.setViewportSize({ width: 1280, height: 800 })

  await page.click('[data-test=submit-open]')
  await page.waitForSelector('[data-test=unanswered]')
  check('submit dialog names unanswered questions', (await page.textContent('[data-test=unanswered]')).includes('9'))
  await page.waitForTimeout(500)
  await page.screenshot({ path: join(artifacts, '05-submit-dialog.png') })
  await page.click('[data-test=submit-confirm]')
  await page.waitForURL('**/attempts/*/result')
  await page.waitForSelector('[data-test=result]')
  await page.screenshot({ path: join(artifacts, '06-result.png') })
  check('no page errors', pageErrors.length === 0, pageErrors.join('; '))

  console.log('public certificate verification')
  const ptoken = await login('personnel1')
  const certs = await api(ptoken, '/certificates?status=valid&pageSize=1')
  const cert = certs.items[0]
  const vpage = await browser.newPage({ viewport: { width: 1024, height: 768 } })
  await vpage.goto(`${base}/verify/${cert.number}`)
  await vpage.fill('input[name=name]', cert.holder.name)
  await vpage.click('[data-test=verify-submit]')
  await vpage.waitForSelector('[data-test=verify-result]')
  check('verify shows the valid certificate', (await vpage.textContent('[data-test=verify-result]')).includes('有效'))
  await vpage.screenshot({ path: join(artifacts, '07-verify.png') })
  await vpage.fill('input[name=name]', '不是本人')
  await vpage.click('[data-test=verify-submit]')
  await vpage.waitForSelector('[data-test=verify-error]')
  check('a wrong name finds nothing', await vpage.isVisible('[data-test=verify-error]'))

  await personnelJourney()
  await schoolJourney()
} catch (e) {
  failed++
  console.log('  FAIL', e)
} finally {
  await browser.close()
  server.kill('SIGTERM')
  await new Promise((r) => setTimeout(r, 300))
  rmSync(dir, { recursive: true, force: true })
}

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
