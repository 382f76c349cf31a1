package dsl

import (
	"fmt"
	"sort"
	"strings"
)

// suggest returns the candidate closest to word, or "" when none is close
// enough to be a likely typo. A candidate whose length differs from word's
// by more than that is not measured: its distance is at least the
// difference.
func suggest(word string, candidates []string) string {
	limit := max(1, (len([]rune(word))+2)/3)
	lower := strings.ToLower(word)
	best, bestDist := "", -1
	for _, c := range candidates {
		if abs(len(c)-len(word)) > limit {
			continue
		}
		d := editDistance(lower, strings.ToLower(c))
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

func abs(n int) int { return max(n, -n) }

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
// It keeps three rows of the table, on the stack for short words: an
// unknown key asks for it once per known key.
func editDistance(a, b string) int {
	var abuf, bbuf [32]rune
	var rowBuf [3 * 33]int
	ra, rb := appendRunes(abuf[:0], a), appendRunes(bbuf[:0], b)
	rows := rowBuf[:]
	if n := 3 * (len(rb) + 1); n > len(rows) {
		rows = make([]int, n)
	}
	w := len(rb) + 1
	prev2, prev, cur := rows[:w], rows[w:2*w], rows[2*w:3*w]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}
