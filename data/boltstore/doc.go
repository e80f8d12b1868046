// Package boltstore is a data.Store kept in one bbolt file of a state folder
// (serve --state DIR): datasets survive a restart, a process killed at any
// point leaves the previous or the new state, a second server on the same
// folder is refused (ErrLocked) rather than corrupting it, and a damaged
// file is reported with what is wrong instead of being served. It also keeps
// the recruitment events (people.RecruitmentStore). Datasets are stored in
// data's shared form (data.EncodeDataset), as data/pgstore does.
package boltstore
