// Only here so cargo has a target; the measured units are the dependencies.
