package calc

func Twice(v int) int {
	return AddAll([]int{v, v})
}
