from calc import add_numbers

print(add_numbers(1, 2))
