use super::*;

#[test]
fn roles_parse_in_any_case_and_rank_by_power() {
    assert_eq!(Role::parse("ADMIN").unwrap(), Role::Admin);
    assert_eq!(Role::parse(" agent ").unwrap(), Role::Agent);
    assert!(Role::parse("owner").is_err());
    assert!(Role::Agent < Role::Admin && Role::Admin < Role::Superadmin);
}

#[test]
fn nobody_grants_more_than_they_hold_and_agents_grant_nothing() {
    assert!(Role::Admin.may_grant(Role::Agent));
    assert!(Role::Admin.may_grant(Role::Admin));
    assert!(!Role::Admin.may_grant(Role::Superadmin));
    assert!(Role::Superadmin.may_grant(Role::Superadmin));
    for role in Role::ALL {
        assert!(!Role::Agent.may_grant(role));
    }
}

#[test]
fn admins_manage_those_below_them_and_superadmins_everyone() {
    assert!(Role::Admin.may_manage(Role::Agent));
    assert!(!Role::Admin.may_manage(Role::Admin));
    assert!(!Role::Admin.may_manage(Role::Superadmin));
    assert!(!Role::Agent.may_manage(Role::Agent));
    for role in Role::ALL {
        assert!(Role::Superadmin.may_manage(role));
    }
}

#[test]
fn passwords_need_length_a_digit_and_a_special_character() {
    assert!(NewPassword::parse("Seguro123!").is_ok());
    let short = NewPassword::parse("a1!").unwrap_err();
    assert!(short.message.contains("at least 8"), "{}", short.message);
    let no_digit = NewPassword::parse("Seguro!!!").unwrap_err();
    assert!(no_digit.message.contains("a digit"));
    let no_special = NewPassword::parse("Seguro1234").unwrap_err();
    assert!(no_special.message.contains("a special character"));
    assert!(NewPassword::parse(&format!("a1!{}", "x".repeat(126))).is_err());
    assert_eq!(
        format!("{:?}", NewPassword::parse("Seguro123!").unwrap()),
        "NewPassword(…)"
    );
}

#[test]
fn usernames_are_short_plain_and_lower_case() {
    assert_eq!(Username::parse(" Ana.Perez ").unwrap().as_str(), "ana.perez");
    for bad in ["ab", "ana perez", "ana@x", &"a".repeat(65)] {
        assert!(Username::parse(bad).is_err(), "{bad:?}");
    }
}
