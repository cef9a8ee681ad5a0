package store

import (
	"context"
	"time"

	"qualify/internal/identity"
	"qualify/internal/org"
)

type orgRow struct {
	ID         int64 `gorm:"primaryKey"`
	ParentID   *int64
	Name       string
	Kind       string
	Code       string
	Path       string
	Grassroots bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (orgRow) TableName() string { return "orgs" }

func toOrg(r orgRow) org.Org {
	return org.Org{ID: r.ID, ParentID: r.ParentID, Name: r.Name, Kind: org.Kind(r.Kind), Code: r.Code, Path: r.Path,
		Grassroots: r.Grassroots, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func orgRowFrom(o org.Org) orgRow {
	return orgRow{ID: o.ID, ParentID: o.ParentID, Name: o.Name, Kind: string(o.Kind), Code: o.Code, Path: o.Path,
		Grassroots: o.Grassroots, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// CreateOrg inserts o and sets its ID.
func (s *Store) CreateOrg(ctx context.Context, o *org.Org) error {
	r := orgRowFrom(*o)
	r.ID = 0
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	o.ID = r.ID
	return nil
}

// UpdateOrg writes o.
func (s *Store) UpdateOrg(ctx context.Context, o org.Org) error {
	s.authChanged(ctx, identity.AuthChange{All: true}) // org paths are part of every principal
	r := orgRowFrom(o)
	return s.conn(ctx).Model(&orgRow{}).Where("id = ?", o.ID).Updates(map[string]any{
		"parent_id": r.ParentID, "name": r.Name, "kind": r.Kind, "code": r.Code, "path": r.Path,
		"grassroots": r.Grassroots, "updated_at": r.UpdatedAt}).Error
}

func (s *Store) orgWhere(ctx context.Context, q string, arg any) (*org.Org, error) {
	var rows []orgRow
	if err := s.conn(ctx).Where(q, arg).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	o := toOrg(rows[0])
	return &o, nil
}

// OrgByID returns the org, or nil.
func (s *Store) OrgByID(ctx context.Context, id int64) (*org.Org, error) {
	return s.orgWhere(ctx, "id = ?", id)
}

// OrgByCode returns the org with that code, or nil.
func (s *Store) OrgByCode(ctx context.Context, code string) (*org.Org, error) {
	return s.orgWhere(ctx, "code = ?", code)
}

// OrgExists reports whether an org with that id exists.
func (s *Store) OrgExists(ctx context.Context, id int64) (bool, error) {
	o, err := s.OrgByID(ctx, id)
	return o != nil, err
}

func (s *Store) orgPath(ctx context.Context, id int64) (string, error) {
	o, err := s.OrgByID(ctx, id)
	if err != nil || o == nil {
		return "", err
	}
	return o.Path, nil
}

// OrgsUnder returns the orgs whose path starts with prefix, ordered by path.
func (s *Store) OrgsUnder(ctx context.Context, prefix string) ([]org.Org, error) {
	var rows []orgRow
	if err := s.conn(ctx).Where("path LIKE ?", prefix+"%").Order("path").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]org.Org, len(rows))
	for i, r := range rows {
		out[i] = toOrg(r)
	}
	return out, nil
}
