import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from '@/stores/auth'
import { homeOf } from '@/permissions'
import MainLayout from '@/layouts/MainLayout.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** public: reachable without signing in. */
    public?: boolean
    /** perm: permission code (any of several) the page needs. */
    perm?: string | string[]
    /** menu: i18n key of the sidebar entry; absent keeps the page out of the menu. */
    menu?: string
    icon?: string
  }
}

export const appRoutes: RouteRecordRaw[] = [
  { path: 'home', name: 'home', component: () => import('@/views/cadre/HomeView.vue'), meta: { perm: 'exam:attempt:sit', menu: 'menu.home', icon: 'HomeFilled' } },
  { path: 'attempts/:id/result', name: 'result', component: () => import('@/views/cadre/ResultView.vue'), meta: { perm: 'exam:attempt:sit' } },
  { path: 'questions', name: 'questions', component: () => import('@/views/bank/QuestionsView.vue'), meta: { perm: 'bank:question:read', menu: 'menu.questions', icon: 'Collection' } },
  { path: 'exams', name: 'exams', component: () => import('@/views/exams/ExamsView.vue'), meta: { perm: 'exam:exam:read', menu: 'menu.exams', icon: 'Document' } },
  { path: 'exams/new', name: 'exam-new', component: () => import('@/views/exams/ExamCreateView.vue'), meta: { perm: 'exam:exam:write' } },
  { path: 'exams/:id/sittings', name: 'sittings', component: () => import('@/views/exams/SittingsView.vue'), meta: { perm: 'exam:sitting:read' } },
  { path: 'exams/:id/report', name: 'report', component: () => import('@/views/exams/ReportView.vue'), meta: { perm: 'exam:report:read' } },
  { path: 'grading', name: 'grading', component: () => import('@/views/grading/WorkbenchView.vue'), meta: { perm: 'grading:task:mark', menu: 'menu.grading', icon: 'EditPen' } },
  { path: 'personnel/cadres', name: 'cadres', component: () => import('@/views/personnel/CadresView.vue'), meta: { perm: 'cadre:cadre:read', menu: 'menu.cadres', icon: 'User' } },
  { path: 'personnel/certificates', name: 'certificates', component: () => import('@/views/personnel/CertificatesView.vue'), meta: { perm: 'cert:certificate:read', menu: 'menu.certificates', icon: 'Medal' } },
  { path: 'personnel/eligibility', name: 'eligibility', component: () => import('@/views/personnel/EligibilityView.vue'), meta: { perm: 'eligibility:check:run', menu: 'menu.eligibility', icon: 'Checked' } },
  { path: 'personnel/compliance', name: 'compliance', component: () => import('@/views/personnel/ComplianceView.vue'), meta: { perm: 'compliance:list:read', menu: 'menu.compliance', icon: 'Warning' } },
  { path: 'school/calendar', name: 'school-calendar', component: () => import('@/views/school/ScheduleView.vue'), meta: { perm: 'training:schedule:read', menu: 'menu.schoolCalendar', icon: 'Calendar' } },
  { path: 'school/courses', name: 'school-courses', component: () => import('@/views/school/CoursesView.vue'), meta: { perm: 'training:schedule:read', menu: 'menu.courses', icon: 'Reading' } },
  { path: 'surveys', name: 'surveys', component: () => import('@/views/survey/SurveysView.vue'), meta: { perm: 'training:survey:read', menu: 'menu.surveys', icon: 'DataAnalysis' } },
  { path: 'my-surveys', name: 'my-surveys', component: () => import('@/views/survey/MySurveysView.vue'), meta: { perm: 'training:survey:answer', menu: 'menu.mySurveys', icon: 'ChatLineSquare' } },
  { path: 'admin/users', name: 'users', component: () => import('@/views/admin/UsersView.vue'), meta: { perm: 'user:user:read', menu: 'menu.users', icon: 'UserFilled' } },
  { path: 'admin/policy', name: 'policy', component: () => import('@/views/admin/PolicyView.vue'), meta: { perm: 'security:policy:read', menu: 'menu.policy', icon: 'Lock' } },
  { path: 'audit', name: 'audit', component: () => import('@/views/admin/AuditView.vue'), meta: { perm: 'audit:event:read', menu: 'menu.audit', icon: 'Tickets' } },
  { path: 'profile', name: 'profile', component: () => import('@/views/auth/ProfileView.vue'), meta: { menu: 'menu.profile', icon: 'Setting' } },
]

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/auth/LoginView.vue'), meta: { public: true } },
  { path: '/verify/:number?', name: 'verify', component: () => import('@/views/verify/VerifyView.vue'), meta: { public: true } },
  { path: '/exam/:examId', name: 'exam', component: () => import('@/views/cadre/ExamView.vue'), meta: { perm: 'exam:attempt:sit' } },
  { path: '/', component: MainLayout, children: [{ path: '', name: 'root', redirect: () => homeOf(useAuthStore().roles) }, ...appRoutes] },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { public: true } },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

router.beforeEach((to) => {
  const auth = useAuthStore()
  if (to.meta.public) return true
  if (!auth.isLoggedIn) return { name: 'login', query: { redirect: to.fullPath } }
  if (to.meta.perm && !auth.can(to.meta.perm)) return homeOf(auth.roles)
  return true
})
