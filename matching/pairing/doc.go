// Package pairing turns candidates and host structures into an assignment:
// it builds the candidate–structure graph from great-circle distances
// (each candidate's reach, the recruitment process's phases and
// exclusions, département caps), hands it to the solvers of package
// matching/assign (min-cost flow or greedy) and reads their solution back
// as assignments, unfilled posts and département balances. It also
// suggests the nearest eligible candidates of a structure and structures
// of a candidate. It needs no engine: package matching feeds it the rows
// of uploaded or built-in datasets.
package pairing
