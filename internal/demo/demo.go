// Package demo loads Qualify's demonstration data: a province with cities, counties and
// townships, the accounts of the API contract, and cadres across the rank ladder. Loading is
// idempotent: what exists (matched by code or username) is kept or brought up to date.
package demo

import (
	"context"
	"fmt"
	"io"
	"sort"

	"qualify/internal/app"
	"qualify/internal/identity"
	"qualify/internal/org"
)

// Report says what Load did.
type Report struct {
	Orgs     int
	Accounts []Account
	Cadres   int
	Items    int
	Exams    int
	Password string
}

// Account is a demo login.
type Account struct {
	Username string
	Role     string
	Name     string
}

// Print writes the demo logins.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "演示数据已就绪：%d 个组织机构，%d 名干部，%d 个账户，题库 %d 道题，%d 场考试开放中\n", r.Orgs, r.Cadres, len(r.Accounts), r.Items, r.Exams)
	fmt.Fprintf(w, "演示账户（密码均为 %q）：\n", r.Password)
	shown := 0
	for _, a := range r.Accounts {
		if a.Role == string(identity.RoleCadre) {
			if shown >= 3 {
				continue
			}
			shown++
		}
		fmt.Fprintf(w, "  %-12s %-10s %s\n", a.Username, a.Role, a.Name)
	}
	fmt.Fprintln(w, "  （cadre001 … cadre100 均为干部账户）")
}

var system = identity.Principal{Username: "system"}

// orgSpec is one node of the demo tree.
type orgSpec struct {
	code, name string
	kind       org.Kind
	children   []orgSpec
}

// Tree is the demo province: 4 cities x 3 counties x 4 townships, with Party and government
// units at each level.
func Tree() orgSpec {
	cities := []string{"东川市", "西岭市", "南湖市", "北原市"}
	counties := [][]string{{"青山县", "白水县", "东川区"}, {"云台县", "石门县", "西岭区"}, {"莲花县", "临湖县", "南湖区"}, {"长平县", "高原县", "北原区"}}
	towns := []string{"城关镇", "河口镇", "柳林乡", "新店乡"}
	unitNames := []string{"组织部", "办公室", "发展和改革局", "财政局", "自然资源局", "农业农村局", "生态环境局", "信访局"}
	root := orgSpec{code: "P", name: "示范省", kind: org.Province}
	root.children = append(root.children,
		orgSpec{code: "P-U1", name: "省委组织部", kind: org.Unit},
		orgSpec{code: "P-U2", name: "省委党校（省行政学院）", kind: org.Unit},
		orgSpec{code: "P-U3", name: "省发展和改革委员会", kind: org.Unit},
	)
	for ci, city := range cities {
		c := orgSpec{code: fmt.Sprintf("C%d", ci+1), name: city, kind: org.City}
		for ui, u := range unitNames[:4] {
			c.children = append(c.children, orgSpec{code: fmt.Sprintf("C%d-U%d", ci+1, ui+1), name: city + u, kind: org.Unit})
		}
		for ki, county := range counties[ci] {
			k := orgSpec{code: fmt.Sprintf("C%d-K%d", ci+1, ki+1), name: county, kind: org.County}
			for ui, u := range unitNames {
				k.children = append(k.children, orgSpec{code: fmt.Sprintf("C%d-K%d-U%d", ci+1, ki+1, ui+1), name: county + u, kind: org.Unit})
			}
			for ti, town := range towns {
				k.children = append(k.children, orgSpec{code: fmt.Sprintf("C%d-K%d-T%d", ci+1, ki+1, ti+1), name: county + town, kind: org.Township})
			}
			c.children = append(c.children, k)
		}
		root.children = append(root.children, c)
	}
	return root
}

// Orgs maps demo org codes to their loaded orgs.
type Orgs map[string]org.Org

// Codes returns the codes of the loaded orgs of a kind, sorted.
func (o Orgs) Codes(k org.Kind) []string {
	var out []string
	for code, x := range o {
		if x.Kind == k {
			out = append(out, code)
		}
	}
	sort.Strings(out)
	return out
}

func loadTree(ctx context.Context, a *app.App, spec orgSpec, parent *org.Org, out Orgs) error {
	o, err := a.Store.OrgByCode(ctx, spec.code)
	if err != nil {
		return err
	}
	if o == nil {
		in := org.NewOrg{Name: spec.name, Kind: spec.kind, Code: spec.code}
		if parent != nil {
			in.ParentID = &parent.ID
		}
		created, err := a.Orgs.Create(ctx, system, in)
		if err != nil {
			return fmt.Errorf("org %s: %w", spec.code, err)
		}
		o = &created
	}
	out[spec.code] = *o
	for _, ch := range spec.children {
		if err := loadTree(ctx, a, ch, o, out); err != nil {
			return err
		}
	}
	return nil
}

// staff are the contract's non-cadre accounts: username, display name, role, org code.
var staff = []struct {
	username, name string
	role           identity.Role
	org            string
}{
	{"sysadmin", "系统管理员", identity.RoleSysadmin, "P-U1"},
	{"secadmin", "安全管理员", identity.RoleSecadmin, "P-U1"},
	{"auditor", "安全审计员", identity.RoleAuditor, "P-U1"},
	{"examadmin", "考试管理员", identity.RoleExamadmin, "P-U2"},
	{"grader1", "阅卷人一", identity.RoleGrader, "P-U2"},
	{"grader2", "阅卷人二", identity.RoleGrader, "P-U2"},
	{"grader3", "阅卷人三", identity.RoleGrader, "P-U2"},
	{"school1", "党校教务处排课员", identity.RoleSchool, "P-U2"},
	{"personnel1", "省委组织部干部一处", identity.RolePersonnel, "P"},
}

// Load creates or refreshes the demo data; every demo account gets password.
func Load(ctx context.Context, a *app.App, password string) (Report, error) {
	rep := Report{Password: password}
	orgs := Orgs{}
	if err := loadTree(ctx, a, Tree(), nil, orgs); err != nil {
		return rep, err
	}
	rep.Orgs = len(orgs)
	for _, s := range staff {
		if _, err := a.Identity.EnsureUser(ctx, identity.NewUser{Username: s.username, DisplayName: s.name, Password: password,
			OrgID: orgs[s.org].ID}, []identity.Role{s.role}); err != nil {
			return rep, fmt.Errorf("account %s: %w", s.username, err)
		}
		rep.Accounts = append(rep.Accounts, Account{s.username, string(s.role), s.name})
	}
	if err := loadCadres(ctx, a, orgs, password, &rep); err != nil {
		return rep, err
	}
	if err := loadTraining(ctx, a, orgs); err != nil {
		return rep, fmt.Errorf("training: %w", err)
	}
	if err := loadSurvey(ctx, a, orgs); err != nil {
		return rep, fmt.Errorf("survey: %w", err)
	}
	if _, err := loadCerts(ctx, a, orgs["P"].Path); err != nil {
		return rep, err
	}
	if err := loadEligibility(ctx, a, orgs, &rep); err != nil {
		return rep, fmt.Errorf("eligibility: %w", err)
	}
	items, err := loadBank(ctx, a)
	if err != nil {
		return rep, err
	}
	rep.Items = items
	if rep.Exams, err = loadExams(ctx, a); err != nil {
		return rep, err
	}
	return rep, nil
}
