package calc

func AddAll(values []int) int {
	total := 0
	for _, v := range values {
		total += v
	}
	return total
}
