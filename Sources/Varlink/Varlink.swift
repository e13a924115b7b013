// Varlink module placeholder; replaced as the module is filled.
