package store

import (
	"context"

	"qualify/internal/training"
)

// UpdateSession writes a moved session's time, venue and teacher.
func (s *Store) UpdateSession(ctx context.Context, x training.Session) error {
	return s.conn(ctx).Model(&classSessionRow{}).Where("id = ?", x.ID).Updates(map[string]any{
		"starts_at": x.Start.UTC(), "ends_at": x.End.UTC(), "venue_id": x.VenueID, "teacher_id": x.TeacherID}).Error
}

// AttendanceOfSession counts the attendance records of a session.
func (s *Store) AttendanceOfSession(ctx context.Context, sessionID int64) (int, error) {
	var n int64
	err := s.conn(ctx).Model(&attendanceRow{}).Where("session_id = ?", sessionID).Count(&n).Error
	return int(n), err
}

var _ training.SessionEditor = (*Store)(nil)
