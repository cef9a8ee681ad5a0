// Permission codes (domain:resource:action) granted by each role. The server checks roles on every
// route; the web app uses the same codes only to show the menus and buttons a user may use.
export const ROLE_PERMISSIONS: Record<string, string[]> = {
  cadre: ['exam:attempt:sit', 'cert:mine:read', 'training:mine:read', 'training:survey:answer'],
  grader: ['grading:task:mark'],
  examadmin: [
    'bank:question:read', 'bank:question:write', 'bank:question:import', 'bank:question:review',
    'exam:exam:read', 'exam:exam:write', 'exam:exam:publish', 'exam:sitting:read', 'exam:report:read',
    'grading:task:mark', 'grading:task:arbitrate',
  ],
  personnel: [
    'cadre:cadre:read', 'cert:certificate:read', 'cert:certificate:revoke', 'eligibility:check:run', 'eligibility:batch:run',
    'eligibility:exception:write', 'compliance:list:read', 'compliance:action:write', 'training:survey:read', 'training:survey:write',
  ],
  school: [
    'training:schedule:read', 'training:schedule:write', 'training:resource:write', 'training:attendance:write', 'training:course:credit',
    'training:survey:read', 'training:survey:write',
  ],
  sysadmin: ['user:user:read', 'user:user:write', 'security:policy:read'],
  secadmin: ['user:user:read', 'user:role:grant', 'security:policy:read', 'security:policy:write'],
  auditor: ['audit:event:read'],
}

/** permissionsOf returns every permission code the roles grant. */
export function permissionsOf(roles: string[]): Set<string> {
  const out = new Set<string>()
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r] || []) out.add(p)
  return out
}

/** homeOf is where a user lands after signing in. */
export function homeOf(roles: string[]): string {
  if (roles.includes('cadre')) return '/home'
  if (roles.includes('examadmin')) return '/exams'
  if (roles.includes('grader')) return '/grading'
  if (roles.includes('personnel')) return '/personnel/cadres'
  if (roles.includes('school')) return '/school/calendar'
  if (roles.includes('sysadmin') || roles.includes('secadmin')) return '/admin/users'
  if (roles.includes('auditor')) return '/audit'
  return '/profile'
}
