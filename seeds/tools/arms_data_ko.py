"""Korean rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "ko"
ROWS = """
P|t|K2 전차 2차 이행계약 체결…폴란드에 180대 수출|현대로템이 폴란드 군비청과 K2 전차 180대를 공급하는 2차 이행계약을 체결했다. 이 가운데 일부는 폴란드 현지에서 K2PL로 생산된다.|K2 tank export to Poland
P|t|한화에어로스페이스, 루마니아에 K9 자주포 수출|한화에어로스페이스는 루마니아 국방부와 K9 자주포 54문과 K10 탄약운반장갑차 공급 계약을 맺었다고 밝혔다.|K9 howitzer export to Romania
P|t|천무 다연장로켓, 폴란드에 추가 인도|폴란드 육군이 한국산 천무 다연장로켓 발사대 추가 물량을 인수했다고 방위사업청이 전했다.|Chunmoo launchers delivered
P|t|FA-50 필리핀 추가 수출 계약 성사|한국항공우주산업(KAI)은 필리핀 공군과 FA-50 경공격기 12대를 추가로 수출하는 계약을 체결했다.|FA-50 export to Philippines
P|t|국정원 "북한, 러시아에 포탄 수백만 발 보내"|국가정보원은 북한이 러시아에 컨테이너 수천 개 분량의 포탄과 탄도미사일을 넘긴 것으로 파악했다고 국회 정보위에 보고했다.|DPRK shells to Russia
P|t|레드백 장갑차, 호주 수출 최종 확정|호주 정부가 한화의 레드백 보병전투차량 129대 도입을 확정했다. 차량 대부분은 호주 질롱 공장에서 현지 생산된다.|Redback export with local production
P|t|정부, 우크라이나에 살상무기 지원 검토|대통령실은 북러 군사협력 수위에 따라 우크라이나에 대한 무기 지원 방식을 단계적으로 검토하겠다고 밝혔다.|Korea considers arms aid to Ukraine
P|t|이란제 드론, 러시아로 대량 이전|미 정부는 이란이 러시아에 샤헤드 드론 수백 대를 넘겼고 현지 생산 공장 건설도 도왔다고 밝혔다.|Iranian drones to Russia
P|t|방산 수출 200억 달러 돌파…역대 최대|올해 한국 방산 수출 수주액이 200억 달러를 넘어섰다. 폴란드, 중동, 동남아 국가들이 주요 고객이다.|Korean arms export record
P|t|사우디에 천궁-II 요격미사일 수출|LIG넥스원은 사우디아라비아와 중거리 지대공 미사일 천궁-II 수출 계약을 체결했다고 공시했다.|SAM export to Saudi Arabia
P|t|美, 대만에 무기 판매 승인…中 강력 반발|미 국무부가 대만에 F-16 부품과 미사일을 판매하는 방안을 승인하자 중국 외교부가 즉각 반발했다.|US arms sale to Taiwan
P|t|유엔 패널 "북한 무기 리비아 반군에 흘러가"|유엔 대북제재위원회 보고서는 북한산 로켓포가 중개상을 거쳐 리비아 무장세력에 전달된 정황을 담았다.|DPRK arms to Libya embargo breach
P|t|독일, 우크라이나에 레오파르트 전차 지원|독일 정부가 레오파르트2 전차 14대를 우크라이나에 보내기로 결정했다.|German tanks to Ukraine
P|t|인도네시아, 한국서 잠수함 추가 도입 추진|인도네시아 국방부가 한화오션과 잠수함 추가 구매를 협의 중인 것으로 알려졌다.|Submarine deal talks
P|t|SIPRI "한국, 세계 10위 무기 수출국"|스톡홀름국제평화연구소 보고서에 따르면 한국의 무기 수출 점유율이 2%를 넘어섰다.|SIPRI report
H|t|무기한 파업 돌입한 철도노조|전국철도노조가 임금 협상 결렬을 이유로 무기한 파업에 들어갔다.|Indefinite strike (무기한), not weapons
H|t|정전협정 70주년 기념식 열려|6·25 전쟁 정전협정 체결 70주년을 맞아 참전용사들이 참석한 가운데 기념식이 열렸다.|Armistice anniversary
H|t|손흥민 동료, 이적 시장서 이탈리아행|토트넘의 미드필더가 이탈리아 세리에A 클럽으로 이적을 확정했다.|Football transfer
H|t|해외 송금 수수료 인하 경쟁|시중은행들이 해외 송금 수수료를 낮추며 외국인 근로자 고객 유치에 나섰다.|Money remittances
H|t|북한, 동해상으로 탄도미사일 발사|합참은 북한이 평양 일대에서 동해상으로 단거리 탄도미사일 2발을 발사했다고 밝혔다.|Missile test
H|t|김정은, 군수공장 찾아 "생산 확대" 주문|김정은 국무위원장이 미사일 생산 공장을 현지 지도하며 생산 능력을 높이라고 지시했다고 조선중앙통신이 보도했다.|Domestic production
H|t|한미 연합훈련 '을지 자유의 방패' 시작|한미 양국 군이 11일간 대규모 연합연습에 들어갔다.|Military exercise
H|t|내년 국방예산 61조 원 편성|정부는 병사 봉급 인상과 감시정찰 전력 보강을 위해 국방예산을 4.5% 늘렸다.|Defence budget
H|t|한러 교역액 절반으로 감소|대러 제재 여파로 한국과 러시아 간 교역액이 크게 줄었다고 무역협회가 밝혔다.|Korea-Russia trade, no arms
H|t|"데이터가 곧 무기" 기업들 AI 투자 확대|기업들은 양질의 데이터를 최대 경쟁 무기로 보고 투자를 늘리고 있다.|Metaphorical weapon
N|t|서울 아파트값 3주 연속 상승|한국부동산원 통계에 따르면 서울 아파트 매매가격이 0.1% 올랐다.|Housing prices
N|t|태풍 북상…제주 항공편 결항|강한 바람으로 제주공항 항공편 80여 편이 결항됐다.|Typhoon
N|t|반도체 수출 석 달째 증가|메모리 가격 회복으로 반도체 수출이 늘었다.|Chip exports
N|t|K팝 그룹 월드투어 매진|공연 티켓이 판매 10분 만에 모두 팔렸다.|Entertainment
N|t|의대 정원 확대 놓고 갈등|의료계와 정부가 협의체 구성에 합의하지 못했다.|Health policy
N|t|프로야구 개막전 관중 10만 명|다섯 개 구장이 모두 매진됐다.|Baseball
P|e|노르웨이, K9 자주포 추가 구매|노르웨이 육군이 K9 자주포 24문을 추가 도입한다.|K9 export to Norway
P|e|러시아, 북한에 방공체계 넘겨|국정원은 러시아가 북한에 대공미사일 장비를 제공한 것으로 본다고 밝혔다.|Russia arms to DPRK
P|e|이라크에 천궁-II 수출 계약|LIG넥스원이 이라크와 3조 원대 계약을 맺었다.|SAM export to Iraq
P|e|폴란드, 한국산 FA-50 첫 인도분 수령|폴란드 공군이 FA-50 경공격기를 인수했다.|FA-50 delivered to Poland
H|e|가자지구 휴전 협상 재개|이집트와 카타르의 중재로 협상이 다시 시작됐다.|Ceasefire talks
H|e|투수 팔꿈치 부상으로 시즌 아웃|구단은 선수가 팔 인대 수술을 받는다고 밝혔다.|Arm injury
H|e|北 열병식에 신형 ICBM 등장|-|Military parade
N|e|겨울 한파에 난방비 부담 커져|가스요금이 작년보다 올랐다.|Heating costs
"""
