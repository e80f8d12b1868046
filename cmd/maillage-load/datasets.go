package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// storedDataset is an uploaded dataset or match result listed by the
// server.
type storedDataset struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Rows int    `json:"rows"`
}

// datasetsPageRows is the page size of the dataset reads.
const datasetsPageRows = 100

// readToken returns the bearer token held in file ("" without a file).
func readToken(file string) (string, error) {
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("-token-file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("-token-file %s: empty", file)
	}
	return tok, nil
}

// fetchDatasets lists the uploaded datasets and match results (not the
// built-in ones) that the token can read.
func fetchDatasets(client *http.Client, base, token string) ([]storedDataset, error) {
	if token == "" {
		return nil, errors.New("the datasets kind reads uploaded data: pass -token-file with a token (maillage token new)")
	}
	req, err := http.NewRequest(http.MethodGet, base+"/v1/datasets", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /v1/datasets: status %d", resp.StatusCode)
	}
	var list struct {
		Items []struct {
			storedDataset
			Builtin bool `json:"builtin"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("GET /v1/datasets: %w", err)
	}
	var out []storedDataset
	for _, d := range list.Items {
		if !d.Builtin {
			out = append(out, d.storedDataset)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the datasets kind needs uploaded datasets: upload one first (POST /v1/datasets)")
	}
	return out, nil
}

// datasetPath draws one read of the datasets kind: the list (one in ten),
// a page of rows of a dataset at a random offset, or a match result.
func datasetPath(stored []storedDataset, p *picker) string {
	if p.intn(10) == 0 {
		return "/v1/datasets"
	}
	d := stored[p.intn(len(stored))]
	offset := 0
	if d.Rows > datasetsPageRows {
		offset = p.intn(d.Rows - datasetsPageRows)
	}
	if d.Kind == "match_result" {
		return fmt.Sprintf("/v1/match/%s?limit=%d&offset=%d", d.ID, datasetsPageRows, offset)
	}
	return fmt.Sprintf("/v1/datasets/%s?limit=%d&offset=%d", d.ID, datasetsPageRows, offset)
}
