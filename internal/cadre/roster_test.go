package cadre

import (
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qualify/internal/identity"
	"qualify/internal/org"
)

func TestParseRosterDate(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"1975-03-08", "1975-03-08", ""},
		{"1975/3/8", "1975-03-08", ""},
		{"1975.03.08", "1975-03-08", ""},
		{"1975年3月8日", "1975-03-08", ""},
		{"1975.03", "1975-03-01", ""},
		{"1975-3", "1975-03-01", ""},
		{"19750308", "1975-03-08", ""},
		{"27461", "1975-03-08", ""}, // Excel serial of a date cell
		{"2000-02-29", "2000-02-29", ""},
		{"1900-02-29", "", "不存在"},
		{"2001-02-29", "", "不存在"},
		{"1975-13-01", "", "不存在"},
		{"三月", "", "格式"},
		{"", "", "格式"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseRosterDate(c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("ParseRosterDate(%q) = %v, %v; want error with %q", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || got.String() != c.want {
				t.Fatalf("ParseRosterDate(%q) = %v, %v; want %s", c.in, got, err, c.want)
			}
		})
	}
}

// rosterFixture returns a roster context over two counties; the actor manages county A.
func rosterFixture() *rosterContext {
	orgs := map[string]*org.Org{
		"A":   {ID: 2, Code: "A", Name: "青山县", Path: "/1/2/", Grassroots: true},
		"A-1": {ID: 4, Code: "A-1", Name: "青山县财政局", Path: "/1/2/4/", Grassroots: true},
		"B":   {ID: 3, Code: "B", Name: "白水县", Path: "/1/3/", Grassroots: true},
	}
	return &rosterContext{ladder: testLadder(), today: d("2024-06-01"), orgs: map[string]*org.Org{},
		actor:  identity.Principal{UserID: 9, Username: "p", Roles: []identity.Role{identity.RolePersonnel}, OrgPath: "/1/2/"},
		lookup: func(code string) (*org.Org, error) { return orgs[code], nil }}
}

func goodRow() map[string]string {
	return map[string]string{ColCode: "G001", ColName: "张三", ColGender: "男", ColBirthDate: "1980-05-01", ColEthnicity: "汉族",
		ColEducation: "大学本科", ColPartyJoin: "2003-07-01", ColWorkStart: "2002-08-01", ColOrgCode: "A-1",
		ColCurrentPost: "财政局副局长", ColPostLevel: "乡科级副职", ColRank: "", ColPostCategory: "行政管理",
		ColTermStart: "2019-03-01", ColReserve: "否", ColGrassroots: ""}
}

func TestParseRow(t *testing.T) {
	cases := []struct {
		name   string
		change map[string]string
		errs   []string // "column: part of message"
	}{
		{"good row", nil, nil},
		{"codes accepted for enumerations", map[string]string{ColGender: "female", ColEducation: "master", ColPostLevel: "township_deputy", ColPostCategory: "administrative"}, nil},
		{"no post: no term needed", map[string]string{ColCurrentPost: "", ColTermStart: "", ColPostLevel: ""}, nil},
		{"missing name", map[string]string{ColName: ""}, []string{ColName + ": 姓名必填"}},
		{"bad gender", map[string]string{ColGender: "未知"}, []string{ColGender + ": 男或女"}},
		{"bad date", map[string]string{ColBirthDate: "1980-02-30"}, []string{ColBirthDate + ": 不存在"}},
		{"missing work start", map[string]string{ColWorkStart: ""}, []string{ColWorkStart + ": 必填"}},
		{"work before 15", map[string]string{ColWorkStart: "1990-01-01"}, []string{ColWorkStart + ": 15 周岁"}},
		{"party before 18", map[string]string{ColPartyJoin: "1995-01-01"}, []string{ColPartyJoin + ": 18 周岁"}},
		{"unknown education", map[string]string{ColEducation: "私塾"}, []string{ColEducation + ": 无法识别"}},
		{"unknown level", map[string]string{ColPostLevel: "股级"}, []string{ColPostLevel + ": 不存在"}},
		{"unknown rank", map[string]string{ColRank: "科长"}, []string{ColRank + ": 不存在"}},
		{"missing category", map[string]string{ColPostCategory: ""}, []string{ColPostCategory + ": 必填"}},
		{"unknown org", map[string]string{ColOrgCode: "ZZ"}, []string{ColOrgCode + ": 不存在"}},
		{"org outside scope", map[string]string{ColOrgCode: "B"}, []string{ColOrgCode + ": 管理范围"}},
		{"post without term start", map[string]string{ColTermStart: ""}, []string{ColTermStart + ": 任职时间必填"}},
		{"bad yes/no", map[string]string{ColReserve: "也许"}, []string{ColReserve + ": 是"}},
		{"several problems reported together", map[string]string{ColName: "", ColGender: "x", ColOrgCode: "B"},
			[]string{ColName + ": 必填", ColGender + ": 男或女", ColOrgCode + ": 管理范围"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cells := goodRow()
			for k, v := range c.change {
				cells[k] = v
			}
			en, errs, err := rosterFixture().parseRow(rosterRow{n: 7, cells: cells})
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) != len(c.errs) {
				t.Fatalf("errors %+v, want %v", errs, c.errs)
			}
			for i, want := range c.errs {
				col, msg, _ := strings.Cut(want, ": ")
				if errs[i].Row != 7 || errs[i].Column != col || !strings.Contains(errs[i].Message, msg) {
					t.Errorf("error %d = %+v, want %s", i, errs[i], want)
				}
			}
			if len(c.errs) == 0 && c.change == nil {
				if en.Cadre.OrgID != 4 || en.Cadre.PostLevel != "township_deputy" || len(en.Posts) != 1 ||
					!en.Posts[0].Grassroots || en.Posts[0].Start != d("2019-03-01") {
					t.Errorf("entry %+v", en)
				}
			}
		})
	}
}

func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadRoster(t *testing.T) {
	t.Run("not an xlsx", func(t *testing.T) {
		if _, _, err := readRoster([]byte("name,code\n")); err == nil {
			t.Fatal("want roster_unreadable")
		}
	})
	t.Run("missing columns", func(t *testing.T) {
		_, errs, err := readRoster(xlsxOf(t, [][]any{{"姓名", "干部编号"}, {"张三", "1"}}))
		if err != nil || len(errs) != 6 || errs[0].Row != 1 {
			t.Fatalf("errs %+v, err %v", errs, err)
		}
	})
	t.Run("rows numbered as Excel shows, blank rows skipped, columns in any order", func(t *testing.T) {
		head := []any{"姓名", "干部编号", "性别", "出生日期", "学历", "参加工作时间", "所在单位编码", "职务类别*", "备注"}
		rows, errs, err := readRoster(xlsxOf(t, [][]any{head, {"甲", "1", "男"}, {}, {"乙", "2", "女"}}))
		if err != nil || len(errs) != 0 || len(rows) != 2 || rows[0].n != 2 || rows[1].n != 4 || rows[1].cells[ColName] != "乙" {
			t.Fatalf("rows %+v errs %+v err %v", rows, errs, err)
		}
	})
	t.Run("no data rows", func(t *testing.T) {
		_, errs, err := readRoster(xlsxOf(t, [][]any{{"干部编号", "姓名", "性别", "出生日期", "学历", "参加工作时间", "所在单位编码", "职务类别"}}))
		if err != nil || len(errs) != 1 {
			t.Fatalf("errs %+v err %v", errs, err)
		}
	})
}
