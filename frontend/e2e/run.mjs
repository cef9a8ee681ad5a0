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
