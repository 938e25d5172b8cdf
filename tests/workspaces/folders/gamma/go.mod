module example.com/gamma
