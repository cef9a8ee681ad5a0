package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"qualify/internal/app"
	"qualify/internal/cadre"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/civil"
)

// demoRef is the date the demo histories are written up to, fixed so that the data is the same
// on every run.
var demoRef = civil.New(2025, time.June, 30)

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
var givenMale = []rune("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志新东海峰文斌红卫兵荣庆春立成晓")
var givenFemale = []rune("芳娜敏静丽艳娟霞秀玲桂英华萍红梅琳燕雪颖倩婷慧莉兰凤洁琴云莹晶晓丹瑶欣悦雅楠佳玉")
var ethnicities = []string{"汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "回族", "壮族", "满族", "土家族", "苗族"}

// step is one grade on a career path.
type step struct{ level, rank string }

func lv(code string) step { return step{level: code} }
func rk(code string) step { return step{rank: code} }

// paths are typical careers, bottom up; a cadre's history is the tail of one ending at their grade.
var (
	leaderPath = []step{rk("staff_2"), rk("staff_1"), lv("township_deputy"), lv("township_principal"), lv("county_deputy"),
		lv("county_principal"), lv("bureau_deputy"), lv("bureau_principal")}
	rankPath = []step{rk("staff_2"), rk("staff_1"), rk("senior_staff_4"), rk("senior_staff_3"), rk("senior_staff_2"), rk("senior_staff_1"),
		rk("researcher_4"), rk("researcher_3"), rk("researcher_2")}
)

// weighted picks a grade from (grade, weight) pairs.
type weighted []struct {
	s step
	w int
}

func (ws weighted) pick(r *rand.Rand) step {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.s
		}
		n -= x.w
	}
	return ws[len(ws)-1].s
}

// hostPlan says how many cadres an org of a kind holds and at which grades.
type hostPlan struct {
	count  int
	grades weighted
}

var plans = map[string]hostPlan{
	"province-unit": {4, weighted{{lv("bureau_principal"), 1}, {lv("bureau_deputy"), 2}, {lv("county_principal"), 3}, {lv("county_deputy"), 3}, {rk("researcher_2"), 2}, {rk("researcher_4"), 2}}},
	"city":          {2, weighted{{lv("bureau_principal"), 1}, {lv("bureau_deputy"), 2}}},
	"city-unit":     {4, weighted{{lv("county_principal"), 1}, {lv("county_deputy"), 2}, {lv("township_principal"), 3}, {rk("researcher_4"), 1}, {rk("senior_staff_1"), 2}, {rk("senior_staff_3"), 2}}},
	"county":        {5, weighted{{lv("county_principal"), 2}, {lv("county_deputy"), 5}}},
	"county-unit":   {6, weighted{{lv("township_principal"), 2}, {lv("township_deputy"), 4}, {rk("senior_staff_2"), 2}, {rk("senior_staff_4"), 3}, {rk("staff_1"), 3}, {rk("staff_2"), 1}}},
	"township":      {6, weighted{{lv("township_principal"), 2}, {lv("township_deputy"), 5}, {rk("senior_staff_3"), 2}, {rk("staff_1"), 3}, {rk("staff_2"), 1}}},
}

func hostKind(o org.Org, byID map[int64]org.Org) string {
	switch o.Kind {
	case org.City, org.County, org.Township:
		return string(o.Kind)
	case org.Unit:
		if o.ParentID != nil {
			return string(byID[*o.ParentID].Kind) + "-unit"
		}
	}
	return ""
}

// title names a post of a grade at an org.
func title(r *rand.Rand, s step, o org.Org, kind string) string {
	if s.rank != "" {
		return rankTitles[s.rank]
	}
	var opts []string
	switch kind {
	case "township":
		opts = map[string][]string{"township_principal": {"党委书记", "镇长"}, "township_deputy": {"党委副书记", "副镇长", "纪委书记", "组织委员", "武装部部长"}}[s.level]
	case "county":
		opts = map[string][]string{"county_principal": {"县委书记", "县长"}, "county_deputy": {"副县长", "县委常委、组织部部长", "县委常委、办公室主任", "县委常委、纪委书记"}}[s.level]
	case "city":
		opts = map[string][]string{"bureau_principal": {"市委书记", "市长"}, "bureau_deputy": {"副市长", "市委常委、组织部部长"}}[s.level]
	default:
		opts = map[string][]string{"bureau_principal": {"主任", "部长"}, "bureau_deputy": {"副主任", "副部长"}, "county_principal": {"局长", "处长"},
			"county_deputy": {"副局长", "副处长"}, "township_principal": {"局长", "科长"}, "township_deputy": {"副局长", "副科长"}}[s.level]
	}
	if len(opts) == 0 {
		return o.Name + "干部"
	}
	return opts[r.IntN(len(opts))]
}

var rankTitles = map[string]string{"inspector_1": "一级巡视员", "inspector_2": "二级巡视员", "researcher_1": "一级调研员",
	"researcher_2": "二级调研员", "researcher_3": "三级调研员", "researcher_4": "四级调研员", "senior_staff_1": "一级主任科员",
	"senior_staff_2": "二级主任科员", "senior_staff_3": "三级主任科员", "senior_staff_4": "四级主任科员", "staff_1": "一级科员", "staff_2": "二级科员"}

// minAge is the youngest plausible age at each grade.
var minAge = map[step]int{rk("staff_2"): 22, rk("staff_1"): 24, rk("senior_staff_4"): 27, rk("senior_staff_3"): 29,
	rk("senior_staff_2"): 32, rk("senior_staff_1"): 35, rk("researcher_4"): 38, rk("researcher_3"): 40, rk("researcher_2"): 43,
	lv("township_deputy"): 28, lv("township_principal"): 32, lv("county_deputy"): 37, lv("county_principal"): 41,
	lv("bureau_deputy"): 45, lv("bureau_principal"): 48}

func pathTo(s step) []step {
	path := leaderPath
	if s.rank != "" && s.rank != "staff_1" && s.rank != "staff_2" {
		path = rankPath
	}
	for i, x := range path {
		if x == s {
			return path[:i+1]
		}
	}
	return []step{s}
}

// demoCadres generates the demo cadres deterministically over the loaded tree.
func demoCadres(orgs Orgs) []cadre.Entry {
	r := rand.New(rand.NewPCG(20250630, 1))
	byID := map[int64]org.Org{}
	var codes []string
	for code, o := range orgs {
		byID[o.ID] = o
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var out []cadre.Entry
	for _, code := range codes {
		host := orgs[code]
		kind := hostKind(host, byID)
		plan, ok := plans[kind]
		if !ok {
			continue
		}
		for i := 0; i < plan.count; i++ {
			out = append(out, demoCadre(r, len(out)+1, host, kind, plan.grades.pick(r), orgs, byID))
		}
	}
	return out
}

// townshipNear returns a township of the county that host belongs to, if any.
func townshipNear(r *rand.Rand, host org.Org, orgs Orgs, byID map[int64]org.Org) (org.Org, bool) {
	county := host
	for county.Kind != org.County {
		if county.ParentID == nil {
			return org.Org{}, false
		}
		county = byID[*county.ParentID]
	}
	n := 1 + r.IntN(4)
	t, ok := orgs[fmt.Sprintf("%s-T%d", county.Code, n)]
	return t, ok
}

func demoCadre(r *rand.Rand, n int, host org.Org, kind string, target step, orgs Orgs, byID map[int64]org.Org) cadre.Entry {
	male := r.IntN(100) < 68
	given := givenMale
	gender := cadre.Male
	if !male {
		given, gender = givenFemale, cadre.Female
	}
	name := string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))])
	if r.IntN(100) < 70 {
		name += string(given[r.IntN(len(given))])
	}
	edu := []cadre.Education{cadre.Bachelor, cadre.Bachelor, cadre.Bachelor, cadre.Bachelor, cadre.Master, cadre.Master,
		cadre.College, cadre.College, cadre.Doctorate, cadre.Secondary}[r.IntN(10)]
	gradAge := map[cadre.Education]int{cadre.Doctorate: 28, cadre.Master: 25, cadre.Bachelor: 22, cadre.College: 21, cadre.Secondary: 19}[edu]

	path := pathTo(target)
	keep := 2 + r.IntN(4) // 2-5 records
	if keep > len(path) {
		keep = len(path)
	}
	path = path[len(path)-keep:]
	age := max(minAge[target]+r.IntN(max(1, 59-minAge[target])), gradAge+keep+2)
	birth := civil.New(demoRef.Year-age, time.Month(1+r.IntN(12)), 1+r.IntN(28))
	work := civil.New(birth.Year+gradAge, time.July, 1+r.IntN(31))
	c := cadre.Cadre{OrgID: host.ID, Code: fmt.Sprintf("GB%05d", n), Name: name, Gender: gender, BirthDate: birth,
		Ethnicity: ethnicities[r.IntN(len(ethnicities))], Education: edu, WorkStartDate: work, Reserve: r.IntN(100) < 8}
	if r.IntN(100) < 88 {
		pj := work.AddDays(-r.IntN(3 * 365))
		if pj.Before(birth.AddYears(18)) {
			pj = birth.AddYears(18).AddDays(30 + r.IntN(300))
		}
		c.PartyJoinDate = pj
	}
	// the current post runs 1-6 years; earlier posts share the rest of the career evenly
	total := work.DaysUntil(demoRef)
	current := min(365+r.IntN(5*365), total/2)
	start := demoRef.AddDays(-current)
	starts := make([]civil.Date, len(path))
	starts[len(path)-1] = start
	if len(path) > 1 {
		span := work.DaysUntil(start) / (len(path) - 1)
		for i := range len(path) - 1 {
			starts[i] = work.AddDays(i * span)
		}
		starts[0] = work
	} else {
		starts[0] = work
	}
	category := "administrative"
	if kind == "township" || kind == "county" || kind == "city" {
		category = "party_government_leader"
	} else if strings.Contains(host.Name, "组织部") {
		category = "party_mass"
	}
	var posts []cadre.PostRecord
	for i, s := range path {
		unit := host
		if i < len(path)-1 && s.level != "county_principal" && !strings.HasPrefix(s.level, "bureau") {
			if t, ok := townshipNear(r, host, orgs, byID); ok && r.IntN(100) < 60 {
				unit = t
			}
		}
		ukind := hostKind(unit, byID)
		p := cadre.PostRecord{Title: unit.Name + title(r, s, unit, ukind), PostLevel: s.level, PostCategory: category,
			UnitName: unit.Name, Start: starts[i], Grassroots: unit.Grassroots, Leadership: s.level != "",
			AppointmentType: cadre.Appointment}
		if s.rank != "" {
			p.Title, p.RankCategory, p.RankCode, p.PostCategory = rankTitles[s.rank], cadre.DefaultRankCategory, s.rank, "administrative"
		}
		if p.Leadership && (strings.Contains(p.Title, "书记") || strings.HasSuffix(p.Title, "县长") || strings.HasSuffix(p.Title, "镇长")) {
			p.AppointmentType = cadre.Election
		}
		id := unit.ID
		p.UnitOrgID = &id
		if i < len(path)-1 {
			p.End = starts[i+1]
		} else if p.Leadership && current < 365+180 && p.AppointmentType == cadre.Appointment {
			p.ProbationEnd = p.Start.AddYears(1)
		}
		posts = append(posts, p)
	}
	cur := posts[len(posts)-1]
	c.CurrentPost, c.PostLevel, c.RankCategory, c.RankCode, c.PostCategory, c.TermStart = cur.Title, cur.PostLevel, cur.RankCategory, cur.RankCode, cur.PostCategory, cur.Start
	return cadre.Entry{Cadre: c, Posts: posts}
}

// loadCadres seeds the demo cadres (kept when present) and the accounts cadre001 … cadre100,
// linked to cadres spread over the province.
func loadCadres(ctx context.Context, a *app.App, orgs Orgs, password string, rep *Report) error {
	entries := demoCadres(orgs)
	if _, err := a.Cadres.Seed(ctx, system, entries); err != nil {
		return fmt.Errorf("cadres: %w", err)
	}
	rep.Cadres = len(entries)
	personnel := identity.Principal{Username: "system", Roles: []identity.Role{identity.RolePersonnel}, OrgPath: orgs["P"].Path}
	stride := max(1, len(entries)/100)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2) // password hashing is the slow part; two at a time
	accounts := make([]Account, 0, 100)
	for i := 0; i < 100 && i*stride < len(entries); i++ {
		code := entries[i*stride].Cadre.Code
		username := fmt.Sprintf("cadre%03d", i+1)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			list, _, err := a.Cadres.Search(ctx, personnel, cadre.Filter{Q: code, Page: 1, PageSize: 1})
			if err == nil && (len(list) == 0 || list[0].Code != code) {
				err = fmt.Errorf("cadre %s not found", code)
			}
			if err == nil {
				c := list[0]
				_, err = a.Identity.EnsureUser(ctx, identity.NewUser{Username: username, DisplayName: c.Name, Password: password,
					OrgID: c.OrgID, CadreID: &c.ID}, []identity.Role{identity.RoleCadre})
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("account %s: %w", username, err)
			}
			if err == nil {
				accounts = append(accounts, Account{username, string(identity.RoleCadre), list[0].Name})
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	sort.Slice(accounts, func(i, j int) bool { return accounts[i].Username < accounts[j].Username })
	rep.Accounts = append(rep.Accounts, accounts...)
	return nil
}
