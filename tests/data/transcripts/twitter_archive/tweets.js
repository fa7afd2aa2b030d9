window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1788285237457850491"
          ],
          "editableUntil" : "2024-05-08T20:10:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "lgovsm",
            "indices" : [
              "26",
              "33"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "33"
      ],
      "favorite_count" : "2",
      "id_str" : "1788285237457850491",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1788285237457850491",
      "created_at" : "Wed May 08 19:10:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Q2 What tools do you use? #lgovsm",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1788284608312246272"
          ],
          "editableUntil" : "2024-05-08T20:07:30.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "lgovsm",
            "indices" : [
              "46",
              "53"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Ann Example",
            "screen_name" : "ann_council",
            "indices" : [
              "0",
              "12"
            ],
            "id_str" : "1234567890123456789",
            "id" : "1234567890123456789"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "13",
        "53"
      ],
      "favorite_count" : "2",
      "id_str" : "1788284608312246272",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1788284608312246272",
      "created_at" : "Wed May 08 19:07:30 +0000 2024",
      "favorited" : false,
      "full_text" : "@ann_council Thanks Ann &amp; welcome back! 😊 #lgovsm",
      "lang" : "en",
      "in_reply_to_status_id_str" : "1788283859628986491",
      "in_reply_to_status_id" : "1788283859628986491",
      "in_reply_to_user_id" : "1234567890123456789",
      "in_reply_to_user_id_str" : "1234567890123456789",
      "in_reply_to_screen_name" : "ann_council"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1788283899474870272"
          ],
          "editableUntil" : "2024-05-08T20:04:41.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "lgovsm",
            "indices" : [
              "61",
              "68"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "68"
      ],
      "favorite_count" : "2",
      "id_str" : "1788283899474870272",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1788283899474870272",
      "created_at" : "Wed May 08 19:04:41 +0000 2024",
      "favorited" : false,
      "full_text" : "RT @ann_council: A1 We triage daily &amp; reply within 24h 👍 #lgovsm",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1788283224191930491"
          ],
          "editableUntil" : "2024-05-08T20:02:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "lgovsm",
            "indices" : [
              "58",
              "65"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "65"
      ],
      "favorite_count" : "2",
      "id_str" : "1788283224191930491",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1788283224191930491",
      "created_at" : "Wed May 08 19:02:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Q1 How do you handle comments &amp; complaints on social? #lgovsm",
      "lang" : "en"
    }
  }
]