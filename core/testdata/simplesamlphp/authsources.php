<?php
// Two users of the test IdP: student has a multi-valued groups attribute
// that JIT Console's role rules map to roles; guest has no groups and gets
// the default role.
$config = [
    'admin' => ['core:AdminPassword'],

    'example-userpass' => [
        'exampleauth:UserPass',
        'student:studentpass' => [
            'uid' => ['student'],
            'mail' => ['student@example.org'],
            'displayName' => ['Stu Dent'],
            'groups' => ['Admins', 'Engineering', 'Sales'],
        ],
        'guest:guestpass' => [
            'uid' => ['guest'],
            'mail' => ['guest@example.org'],
            'displayName' => ['Guest User'],
        ],
    ],
];
