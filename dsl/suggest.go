package dsl

import (
	"fmt"
	"sort"
	"strings"
)

// suggest returns the candidate closest to word, or "" when none is close
// enough to be a likely typo.
func suggest(word string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(word), strings.ToLower(c))
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	limit := max(1, (len([]rune(word))+2)/3)
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// didYouMean formats suggest's answer as a hint, or "" when there is none.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return ""
}

// oneOf formats a closed list of words for a hint: "one of a, b or c".
func oneOf(words []string) string {
	sorted := append([]string(nil), words...)
	sort.Strings(sorted)
	if len(sorted) == 1 {
		return sorted[0]
	}
	return "one of " + strings.Join(sorted[:len(sorted)-1], ", ") + " or " + sorted[len(sorted)-1]
}

// editDistance counts the edits (insert, delete, substitute, or swap two
// neighbours) that turn a into b: the optimal string alignment distance.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
